"""Denials and contestations that name no event of their own.

"The Japan Times reported that Ukraine's intelligence directorate said it had 'no
information' about Pyongyang's plans", "Moscow called the claims baseless", "Iran rejected
the report": the sentence disputes something said earlier. The denier is the subject of the
denying verb (or of the verb whose complement holds the dispute wording); the disputed event
is the latest earlier one of a type the sentence's nouns point to (troops: a deployment;
drones, shells: a transfer or an attack), preferring one that shares a party with it; one
that shares no party, count or plan with the sentence is disputed only when the sentence
says "the claim" or "these reports". The event becomes ``denied`` when the denier is its
acting party, else ``disputed``.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from services.enricher import amounts
from services.enricher.arguments import Party
from services.enricher.frames import Draft, Sentence, _source_name
from services.enricher.model import AGENT_ROLES, PATIENT_ROLES
from services.enricher.syntax import governors, subjects

_TYPES_BY_THEME = {"troop": ("troop_deployment", "mobilisation"), "force": ("troop_deployment",),
                   "munition": ("arms_transfer", "attack"), "person": ("casualties",),
                   "casualty": ("casualties",), "installation": ("troop_deployment",)}
_LOOKBACK = 12  # sentences a dispute may reach back


def apply(s: Sentence, doc: Doc, new: list[Draft], prior: list[Draft]) -> list[Draft]:
    """Apply the dispute in ``doc`` to ``prior``; return the sentence's own drafts."""
    denials = [d for d in new if d.status in ("denied", "disputed")]
    if denials:  # "X denied that its forces fired any rockets": the claim it denies
        kept = [d for d in new if d not in denials]
        for d in denials:
            claim = _claim_of(d, prior)
            if claim is None:
                kept.append(d)
                continue
            if d.status == "denied" or claim.status != "denied":
                claim.status = d.status  # the actor's own denial outranks a dispute
            claim.disputed_by += [n for n in d.disputed_by if n not in claim.disputed_by]
        return kept
    cue = _cue(s, doc)
    if cue is None:
        return new
    own = _own_claim(s, cue, new)
    if _unverified(s, cue):  # "…, a claim that could not be verified": relayed, not contested
        claim = own or (_target(s, doc, prior, None) if _refers_to_a_claim(doc) else None)
        if claim is not None and claim.status in ("completed", "confirmed"):
            claim.status = "reported"
        return new
    denier_tok = _denier(s, cue)
    if denier_tok is None:
        return new
    name = _source_name(s, denier_tok)
    party = s.resolver.parties(denier_tok)
    code = party[0].code if party else None
    if not name:
        return new
    target = own or _target(s, doc, prior, code, {t.i for t in denier_tok.subtree})
    if target is None:
        return new
    _mark(s, target, name, party, code)
    return new


def _mark(s: Sentence, target: Draft, name: str, party: list[Party], code: str | None) -> None:
    """``target`` is disputed by ``name``, or denied when that is its acting party."""
    if code and code in target.codes(*AGENT_ROLES):
        target.status = "denied"
    elif target.status != "denied":
        target.status = "disputed"
    if party and party[0].state and party[0].code and party[0].kind in ("place", "country"):
        name = s.resolver.country_name(party[0].code)  # "Ankara denied": Turkey
    elif party and party[0].state and party[0].kind != "person":
        name = party[0].name
    if name not in target.disputed_by:
        target.disputed_by.append(name)


def _own_claim(s: Sentence, cue: Token, new: list[Draft]) -> Draft | None:
    """"…had seized the town, a claim that could not be verified" (or "a claim which Kyiv
    rejected"): the dispute is in a relative clause on a claim noun beside the sentence's own
    report, so the claim is the sentence's latest event before that noun, not an earlier one.
    (The small model sometimes parses "a claim Kyiv rejected", with no "that", as a clause
    of its own; that one is missed.)"""
    node = cue
    for head, link in governors(cue):
        if link in ("relcl", "acl") and head.lower_ in _CLAIMS and head.tag_.startswith("NN") \
                and not any(c.lower_ in _DEFINITE for c in head.children):
            before = [d for d in new if d.position < s.start + head.idx]
            return max(before, key=lambda d: d.position) if before else None
        if node.tag_.startswith("VB") and link not in ("aux", "auxpass", "neg", "advmod"):
            return None  # climbed out of the clause that holds the dispute wording
        node = head
    return None


def _unverified(s: Sentence, cue: Token) -> bool:
    low = cue.doc.text.lower()
    return any(low.startswith(p, cue.idx) for p in s.lex.unverified_phrases)


def _claim_of(d: Draft, prior: list[Draft]) -> Draft | None:
    """The latest earlier claim of the same type whose parties the denial does not contradict
    (a denial often names fewer: "Moscow denied that its drones were aimed at Poland")."""
    for p in reversed(prior):
        if p.type != d.type or p.status in ("denied", "disputed") or p.headline:
            continue
        if d.sentence_index - p.sentence_index > _LOOKBACK:
            return None
        clash = any(d.codes(*roles) and p.codes(*roles) and not d.codes(*roles) & p.codes(*roles)
                    for roles in (AGENT_ROLES, PATIENT_ROLES))
        if not clash:
            return p
    return None


def _cue(s: Sentence, doc: Doc) -> Token | None:
    low = doc.text.lower()
    for t in doc:
        if s.lex.lemma(t.lower_) in s.lex.dispute_verbs and t.tag_.startswith("VB"):
            return t
    for phrase in [*s.lex.unverified_phrases, *s.lex.dispute_phrases]:  # the outlet's word first
        at = low.find(phrase)
        if at >= 0:
            for t in doc:
                if t.idx >= at:
                    return t
    return None


def _denier(s: Sentence, cue: Token) -> Token | None:
    """The subject of the denying verb, or of the nearest verb above the dispute wording."""
    for node in [cue, *(h for h, _ in governors(cue))]:
        if node.tag_.startswith("VB"):
            subs = subjects(node, s.lex.forms)
            if subs:
                return subs[0]
    return None


def _target(s: Sentence, doc: Doc, prior: list[Draft], code: str | None,
            denier: set[int] | None = None) -> Draft | None:
    """The claim a dispute is about: the latest earlier draft of a type its nouns point to
    (the denier's own words, "the army", point nowhere), preferring shared parties."""
    types: set[str] = set()
    for t in doc:
        if denier and t.i in denier:
            continue
        th = s.lex.themes.get(t.lower_)
        if th is not None:
            types.update(_TYPES_BY_THEME.get(th[0], ()))
    keys = {p.code or p.name for t in doc for p in s.resolver.parties(t, owners=False)}
    recent = [d for d in prior if s.index - d.sentence_index <= _LOOKBACK and not d.headline]
    pool = [d for d in recent if not types or d.type in types]
    refers = _refers_to_a_claim(doc)
    claims = [d for d in recent if d.attribution] if refers else []
    if not pool and not claims:
        return None
    numbers = [a for t in doc if t.like_num for a in [amounts.parse(t.text)] if a]
    plans = any(s.lex.lemma(t.lower_) in ("plan", "intend", "prepare") for t in doc)

    def score(d: Draft) -> tuple[int, int]:
        shared = len(d.codes() & (keys | ({code} if code else set())))
        counted = any(d.quantity and d.quantity.min <= n.max and n.min <= d.quantity.max
                      for n in numbers)
        planned = plans and d.status in ("planned", "pledged")
        return (shared + 2 * counted + planned, d.position)

    best = max(pool, key=score) if pool else None
    if best is not None and score(best)[0] > 0:
        return best
    # "the claim" with nothing in common: the latest claim someone made, of whatever type
    # (its nouns may be the denier's: "troops remain in control"); else something else
    return max([*pool, *claims], key=lambda d: d.position) if refers else None


_CLAIMS = frozenset({"claim", "claims", "report", "reports", "allegation", "allegations",
                     "accusation", "accusations", "statement", "account", "assertion",
                     "figure", "figures", "toll", "tally", "version"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those", "such"})


def _refers_to_a_claim(doc: Doc) -> bool:
    """"called the claim false", "rejected these reports": a definite claim is the last one."""
    return any(t.lower_ in _CLAIMS and any(c.lower_ in _DEFINITE for c in t.children)
               for t in doc)
