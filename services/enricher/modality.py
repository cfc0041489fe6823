"""Status and attribution from the words that govern an event's trigger.

Climbing from the trigger to the root of its sentence, every word on the way can change what
the sentence claims: a negation ("did not send"), a modal ("could send" is a hypothesis,
"will send" a plan), a governing verb ("plans to", "pledged to", "threatened to", "denied
sending", "refused to"), a conditional ("if"), a reporting verb ("X said", "X claimed", "X
estimated") with its subject, "according to X" and "citing Y". Modality stops at a relative
clause or participle (what "the troops that Russia sent" claims does not depend on the main
verb); attribution does not.

``read(trigger)`` returns a ``Stance``: the status, or ``None`` when the sentence does not
assert the event at all (a threat, a hypothesis, a refusal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Token

from services.enricher.lexicon import Lexicon
from services.enricher.syntax import conjuncts, governors, subjects

_NEGATIONS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without"})
_FUTURE = frozenset({"will", "shall", "'ll", "wo", "going"})
_HYPOTHETICAL = frozenset({"could", "might", "may", "should", "can", "must", "ca"})
_CONDITIONAL = frozenset({"if", "unless", "whether", "lest"})
_HEDGED = frozenset({"reportedly", "allegedly", "purportedly", "apparently", "supposedly",
                     "unconfirmed", "alleged"})
_ESTIMATE_WORDS = frozenset({"estimated", "likely", "probably", "believed", "thought",
                             "assessed", "presumably"})
_FUTURE_ADVERBS = ("next year", "next month", "next week", "in the coming", "by the end of",
                   "later this year", "later this month", "in the future", "from next")
_SOURCE_HEADS = {"estimates": "estimated", "estimate": "estimated", "assessment": "estimated",
                 "assessments": "estimated", "reports": "reported", "report": "reported",
                 "media": "reported", "sources": "reported", "source": "reported"}
# People who saw or heard it, not a party that did it or an authority that checked it: what
# they say is relayed, not established ("residents said", "according to witnesses").
_SOURCE_HEADS |= {w: "reported" for base in ("resident", "witness", "eyewitness", "villager",
                                             "local", "activist", "medic", "survivor",
                                             "passer-by", "onlooker", "bystander")
                  for w in (base, base + "s", base + "es")}
_BOUNDARY = frozenset({"relcl", "acl"})
_BE = frozenset({"be", "is", "are", "am", "was", "were", "been", "being", "'s", "'re", "'m"})


def _with_be(t: Token) -> bool:
    """Is ``t`` the predicate of a form of "be" ("was set", "is due", "are ready")? The
    lexicon lists such phrases as "be set", "be due", ...: the lemma alone means more."""
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in _BE for c in t.children) or (
        t.dep_ == "acomp" and t.head.lower_ in _BE)


@dataclass(slots=True)
class Source:
    name: str
    token: Token | None  # the subject of the reporting verb (None for generic wording)
    verb: str  # reporting class: neutral, reported, estimated, confirmed, denied


@dataclass(slots=True)
class Stance:
    status: str | None  # None: the sentence does not assert the event
    negated: bool = False
    sources: list[Source] = field(default_factory=list)  # outermost first
    denier: Source | None = None
    future: bool = False


def read(trigger: Token, lex: Lexicon, name_of: Callable[[Token], str | None],
         default: str | None = None) -> Stance:
    """The stance of the sentence towards the event ``trigger`` evokes."""
    cues = _Cues()
    cues.node(trigger, lex, modal=True)
    if _nothing_done(trigger):
        cues.negated = True
    cues.cite(trigger, name_of)
    modal = True
    prev = trigger
    for head, link in governors(trigger):
        if link in _BOUNDARY and prev.tag_.startswith("VB") and not _infinitive(prev):
            modal = False  # "the troops that Russia sent": not governed by the main verb
        cues.cite(head, name_of)
        cues.link(prev, head, link, lex, modal, name_of)
        cues.node(head, lex, modal=modal and link not in ("conj",))
        prev = head
    sent = trigger.sent
    for t in sent:
        if t.lower_ == "according" and t.i + 1 < len(sent.doc) and t.nbor(1).lower_ == "to":
            for obj in (c for c in t.nbor(1).children if c.dep_ == "pobj"):
                name = name_of(obj)
                head_class = next((_SOURCE_HEADS[x.lower_] for x in conjuncts(obj)
                                   if x.lower_ in _SOURCE_HEADS), None)
                cues.according.append(Source(name or obj.text, obj, head_class or "neutral"))
    cues.sources = [src for src in cues.sources if src.name.lower() not in _NOT_SOURCES]
    if not cues.sources and not cues.according:
        cues.sources = _sentence_sources(trigger, lex, name_of)[::-1]
    text = sent.text.lower()
    if trigger.tag_ not in ("VBD", "VBN") and any(a in text for a in _FUTURE_ADVERBS):
        cues.future_adverb = True
    return cues.stance(default, trigger, sent.text.rstrip().endswith("?"))


_NOT_SOURCES = frozenset({"", "information", "report", "reports", "data", "statement", "it",
                          "this", "that", "which", "who", "they", "claim", "claims"})


def _sentence_sources(trigger: Token, lex: Lexicon, name_of: Callable[[Token], str | None]
                      ) -> list[Source]:
    """When the parse does not put the event under its reporting verb ("CNN reported on
    July 2, citing X and Y, that ..."), the sentence's reporting verbs outside the event's
    own clause, and what they cite, in order."""
    own = {t.i for t in trigger.subtree}
    out: list[Source] = []
    for t in trigger.sent:
        if t.i in own or not t.tag_.startswith("VB"):
            continue
        report = lex.reporting.get(lex.lemma(t.lower_))
        if t.lower_ == "citing":
            for o in t.children:
                if o.dep_ in ("dobj", "pobj"):
                    for x in [o, *(g for g in o.children if g.dep_ == "conj")]:
                        name = name_of(x)
                        if name and name.lower() not in _NOT_SOURCES:
                            out.append(Source(name, x, "neutral"))
        elif report:
            for sub in (c for c in t.children if c.dep_ == "nsubj"):
                name = name_of(sub)
                if name and name.lower() not in _NOT_SOURCES:
                    out.append(Source(name, sub, report))
    return out


def _nothing_done(verb: Token) -> bool:
    """"has sent no weapons", "called up no one": the object says none were."""
    return verb.tag_.startswith("VB") and any(
        c.dep_ in ("dobj", "nsubjpass") and (c.lower_ in ("nobody", "none", "nothing") or any(
            d.dep_ == "det" and d.lower_ == "no" for d in c.children))
        for c in verb.children)


def _infinitive(verb: Token) -> bool:
    """"plans to send", "a decision to deploy": the noun's modality governs the verb."""
    return verb.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


@dataclass
class _Cues:
    negated: bool = False
    future: bool = False
    hypothetical: bool = False
    conditional: bool = False
    threat: bool = False
    refused: bool = False
    feared: bool = False
    planned: bool = False
    pledged: bool = False
    ongoing: bool = False
    denied: bool = False
    hedged: bool = False
    estimated: bool = False
    confirmed: bool = False
    perfect: bool = False
    future_adverb: bool = False
    progressive: bool = False
    sources: list[Source] = field(default_factory=list)  # innermost first
    according: list[Source] = field(default_factory=list)
    deniers: list[Source] = field(default_factory=list)

    def cite(self, t: Token, name_of: Callable[[Token], str | None]) -> None:
        """"..., citing a Ukrainian intelligence assessment and a Western official": the
        sources of the clause ``t`` heads (kept innermost first, like ``sources``)."""
        for c in t.children:
            if c.lower_ != "citing":
                continue
            cited = [x for o in c.children if o.dep_ in ("dobj", "pobj")
                     for x in [o, *(g for g in o.children if g.dep_ == "conj")]]
            for x in reversed(cited):
                name = name_of(x)
                if name:
                    self.sources.append(Source(name, x, "neutral"))

    def node(self, t: Token, lex: Lexicon, modal: bool) -> None:
        for c in t.children:
            word = c.lower_
            if c.dep_ == "neg" or (c.dep_ == "det" and word == "no" and modal):
                if modal:
                    self.negated = True
            elif c.dep_ in ("aux", "auxpass") and modal:
                if word == "would" and _unreported_root(t, lex):
                    self.hypothetical = True  # "its army would fight": a scenario, not a plan
                elif word in _FUTURE or word == "would":
                    self.future = True
                elif word in _HYPOTHETICAL:
                    have = any(a.lower_ in ("have", "'ve") for a in t.children if a.dep_ == "aux")
                    if have:
                        self.hedged = True  # "may have killed": a possibility stated of the past
                    else:
                        self.hypothetical = True
                elif word in ("has", "have", "had"):
                    self.perfect = True
                elif word in ("is", "are", "am", "was", "were", "be", "been") and \
                        t.tag_ == "VBG" and c.dep_ == "aux":
                    self.progressive = True
                elif word == "to" and t.dep_ in ("ROOT",):
                    self.future = True  # headline "N Korea to send troops"
            elif c.dep_ == "mark" and word in _CONDITIONAL and modal:
                self.conditional = True
            elif c.dep_ == "advcl" and modal and _consequent(t, c):
                self.conditional = True  # "would send ships only if China fired first"
            elif c.dep_ in ("advmod", "amod") and word in _HEDGED:
                self.hedged = True
            elif c.dep_ in ("advmod",) and word in ("probably", "likely", "presumably"):
                self.estimated = True

    def link(self, child: Token, head: Token, link: str, lex: Lexicon, modal: bool,
             name_of: Callable[[Token], str | None]) -> None:
        lemma = lex.lemma(head.lower_)
        if head.tag_.startswith("VB") or head.tag_ in ("NN", "NNS", "JJ"):
            cls = lex.modality.get(lemma)
            if cls is None and _with_be(head):  # "was set to deploy", "is due to arrive"
                cls = lex.modality.get(f"be {lemma}")
            if head.lower_ == "going" and link == "xcomp":
                cls = "planned"
            if modal and link in ("xcomp", "ccomp", "dobj", "pobj", "prep", "nsubjpass",
                                  "nsubj", "acomp", "advcl", "attr", "oprd", "pcomp", "appos"):
                self._governor(cls, link, head)
        report = lex.reporting.get(lemma) if head.tag_.startswith("VB") else None
        if report and link in ("ccomp", "xcomp", "parataxis", "dobj", "advcl", "conj",
                               "nsubjpass"):
            subs = [s for s in subjects(head) if s.i != child.i]
            names: list[tuple[str | None, Token | None]] = [(name_of(x), x) for x in subs]
            names = names or [(None, None)]
            passive_report = link == "xcomp" and any(c.dep_ == "auxpass" for c in head.children)
            if passive_report:  # "is believed to have sent", "is said to have"
                report = "estimated" if report in ("estimated",) else "reported"
            for name, tok in names:
                head_class = _SOURCE_HEADS.get(tok.lower_) if tok is not None else None
                src = Source(name or "", tok, head_class if head_class and report == "neutral"
                             else report)
                self.sources.append(src)
                if report == "denied":
                    self.deniers.append(src)

    def _governor(self, cls: str | None, link: str, head: Token) -> None:
        if cls == "planned":
            self.planned = True
        elif cls == "pledged":
            self.pledged = True
        elif cls == "threat":
            self.threat = True
        elif cls == "deny" and link in ("xcomp", "ccomp", "dobj"):
            self.denied = True
        elif cls == "refuse":
            self.refused = True
        elif cls == "fear":
            self.feared = True
        elif cls == "necessity" and link == "xcomp":
            self.hypothetical = True
        elif cls == "ongoing":
            self.ongoing = True

    def stance(self, default: str | None, trigger: Token, question: bool) -> Stance:
        sources = [*self.according, *self.sources[::-1]]
        denier = self.deniers[0] if self.deniers else None
        classes = {s.verb for s in sources}
        if question or self.conditional or self.threat or self.feared:
            return Stance(None, self.negated, sources)
        if self.refused and not self.denied:
            return Stance(None, True, sources)
        if self.denied or "denied" in classes:
            return Stance("denied", True, sources, denier)
        if self.negated:
            # "we have not provided": a denial of the past; "will not send": a refusal
            past = trigger.tag_ in ("VBD", "VBN") or self.perfect
            if past and not self.future and sources:
                return Stance("denied", True, sources, denier or sources[-1])
            return Stance(None, True, sources)
        if self.hypothetical and not (self.planned or self.pledged):
            return Stance(None, False, sources)
        status = self._status(default, classes)
        return Stance(status, False, sources, None, self.future)

    def _status(self, default: str | None, classes: set[str]) -> str:
        if self.pledged or (default == "pledged" and not self.planned):
            return "pledged"
        if self.planned or self.future or self.future_adverb or self.hypothetical:
            return "planned"
        if self.progressive or self.ongoing:
            return "under_way"
        if self.estimated or "estimated" in classes:
            return "estimated"
        if "confirmed" in classes:
            return "confirmed"
        if self.hedged or "reported" in classes:
            return "reported"
        return default or "completed"


def _unreported_root(t: Token, lex: Lexicon) -> bool:
    """"would" on the sentence's main verb, with no one reporting it ("X said it would send"
    is a plan; "X would send, officials said" too): a scenario or a counterfactual."""
    return t.dep_ == "ROOT" and not any(
        c.dep_ in ("parataxis", "ccomp", "advcl") and lex.reporting.get(lex.lemma(c.lower_))
        for c in t.children)


def _consequent(t: Token, clause: Token) -> bool:
    """Is ``t`` (with would/could/might) what a condition in ``clause``, or in a clause of
    its own ("would send ships to break the blockade only if ..."), would bring about?"""
    clauses = [clause, *(c for c in clause.children if c.dep_ == "advcl")]
    return any(m.dep_ == "mark" and m.lower_ in _CONDITIONAL
               for x in clauses for m in x.children) and any(
        a.dep_ == "aux" and a.lower_ in ("would", "could", "might") for a in t.children)


_SOURCE_LINE = re.compile(r"(?:^|[.\n]\s*)sources?\s*:([^\n]{0,300})", re.IGNORECASE)
_UNCONFIRMED = re.compile(r"unconfirmed|unverified|not (?:been )?(?:independently )?verified"
                          r"|\(reported\)|local sources|media reports|social media",
                          re.IGNORECASE)


def unconfirmed_note(text: str) -> bool:
    """Does an incident note name its source as unconfirmed ("Source: local security
    sources (unconfirmed)")? Then what it states as fact is reported, not completed."""
    return any(_UNCONFIRMED.search(m.group(1)) for m in _SOURCE_LINE.finditer(text[-2000:]))
