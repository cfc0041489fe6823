"""Event candidates of one parsed sentence: trigger words, their frames, roles from the parse.

For every word that can evoke a frame (``lexicon.yaml``: "send", "airstrike", "shot down",
"call-up", ...), the frame's syntactic slots are read off the parse (``syntax``), resolved
to parties, themes and places (``arguments``), and turned into a ``Draft`` of one event
type with roles, quantity, location, status and attribution (``modality``). Senses that need
a military reading ("strike", "attack", "support") are kept only when an argument is
military (a weapon or a force, an armed or state actor) and the sentence is not in another
register (a match report, a market story) without one.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from services.enricher.arguments import Party, Theme
from services.enricher.background import is_background
from services.enricher.lexicon import Entry, Frame, Lexicon
from services.enricher.modality import Stance, read
from services.enricher.model import AGENT_ROLES, Draft, Sentence, one_role_each
from services.enricher.roles import BUILDERS, actors, fallback_place
from services.enricher.senses import military_ok
from services.enricher.syntax import indirect, is_verb, objects, preps, subjects

LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "mount", "stage", "unleash", "step",
                         "intensify", "begin", "start", "continue", "order", "announce",
                         "authorize", "authorise", "approve", "complete", "finish", "sign",
                         "hold", "have", "make", "pay", "resume", "escalate", "claim",
                         "undertake", "perform", "execute", "deliver", "provide", "plan",
                         "conclude", "seal", "reach", "agree", "ink", "ratify", "renew",
                         "extend", "expand", "accelerate", "report", "confirm",
                         "face", "suffer", "repel", "repulse", "thwart", "foil", "come",
                         "see", "witness", "endure"})
TEMPORAL = frozenset({"dawn", "dusk", "night", "nights", "morning", "evening", "afternoon",
                      "midnight", "noon", "midday", "weekend", "week", "weeks", "month", "months",
                      "year", "years", "day", "days", "hours", "hour", "time", "times", "today",
                      "tonight", "yesterday", "overnight", "monday", "tuesday", "wednesday",
                      "thursday", "friday", "saturday", "sunday", "january", "february",
                      "march", "april", "may", "june", "july", "august", "september",
                      "october", "november", "december", "jan", "feb", "aug", "sept", "oct",
                      "nov", "dec", "beginning", "end", "start", "spring", "summer", "autumn",
                      "winter", "past", "period", "weekdays", "decade", "decades"})
_PARTICLES = frozenset({"out", "back", "down", "up", "off", "away", "over", "home"})
_RECEIVING = frozenset({"take", "receive", "get", "accept", "await", "expect", "welcome"})


def _code_lemmas() -> frozenset[str]:
    from services.enricher.senses import STRONG_ATTACK, WEAPON_REQUIRED
    from services.enricher.syntax import OBJECT_CONTROL
    return frozenset(LIGHT_VERBS | _RECEIVING | STRONG_ATTACK | WEAPON_REQUIRED | OBJECT_CONTROL)


def triggers(tok: Token, lex: Lexicon) -> list[Entry]:
    """The frame entries ``tok`` evokes (a verb with its particle, a noun with its
    modifiers), longest match first."""
    lower = tok.lower_
    lemma = lex.lemma(lower)
    out: list[Entry] = []
    if is_verb(tok) or (tok.tag_ == "JJ" and lemma in lex.verbs):
        # a particle or object completes a phrasal entry ("pulled out", "open fire", "shoot
        # dead"); a preposition only right after the verb ("crossed into"): "called [X] in
        # Afghanistan" is not "call in"
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        particles = {c.lower_ for c in tok.children if c.dep_ in ("prt", "dobj", "advmod",
                                                                  "acomp", "oprd")}
        particles |= {c.lower_ for c in tok.children if c.dep_ == "prep"
                      and c.lower_ in _PARTICLES}  # "pulled its soldiers out of Somalia"
        if nxt is not None and nxt.dep_ in ("prep", "prt") and nxt.head.i == tok.i:
            particles.add(nxt.lower_)
        for entry in lex.verbs.get(lemma, ()):
            if entry.rest and entry.rest[0] in particles:
                out.insert(0, entry)
            elif not entry.rest and not _changes_sense(tok, lex, lemma):
                out.append(entry)
    if tok.tag_.startswith("NN") or (tok.tag_ in ("JJ", "VBG") and lemma in lex.nouns):
        for entry in lex.nouns.get(lemma, lex.nouns.get(lower, ())):
            before = entry.before
            if before and [t.lower_ for t in tok.doc[max(0, tok.i - len(before)):tok.i]] \
                    != list(before):
                continue
            out.insert(0, entry) if before else out.append(entry)
    return out


def _changes_sense(tok: Token, lex: Lexicon, lemma: str) -> bool:
    """A particle no entry lists changes the verb: "shelled out", "hit back", "backed down"."""
    prt = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    return bool(prt) and not any(e.rest and e.rest[0] in prt for e in lex.verbs.get(lemma, ()))


def drafts(s: Sentence, doc_tokens: list[Token]) -> list[Draft]:
    out: list[Draft] = []
    for tok in doc_tokens:
        named = s.resolver.at.get(tok.i)
        if named is not None and named.entry.kind in ("organisation", "person", "media"):
            continue  # "Liberation" in "Baloch Liberation Army" evokes nothing
        if _claims_responsibility(s, tok):
            out.append(_responsibility(s, tok))
            continue
        for entry in triggers(tok, s.lex):
            d = _draft(s, tok, entry.frame)
            if d is not None and not _describes_a_theme(tok, d, out) \
                    and not _same_fight(s, tok, d, out):
                out += _each_sender(d)
                break
    return out


def _same_fight(s: Sentence, tok: Token, d: Draft, earlier: list[Draft]) -> bool:
    """"rebels seized the town after a day of fighting with government troops": the fighting
    in a phrase on the capture is the capture's battle, not another attack."""
    if d.type != "attack" or tok.dep_ != "pobj" or s.lex.lemma(tok.lower_) not in _FIGHTS:
        return False
    above = {s.start + a.idx for a in tok.ancestors if is_verb(a)}
    return any(e.type == "attack" and e.position in above for e in earlier)


def _sent_to_strike(s: Sentence, tok: Token) -> bool:
    """Weapons sent to attack with, by their owner: a means of the attack, not a transfer."""
    return any(c.dep_ in ("xcomp", "advcl") and c.tag_ == "VB" and any(
        e.frame.name == "attack" for e in s.lex.verbs.get(s.lex.lemma(c.lower_), ()))
        for c in tok.children)


# engagements without a direction: inside a phrase on an attack, the same occurrence
_FIGHTS = frozenset({"fight", "fighting", "clash", "battle", "skirmish", "firefight", "gunfight",
                     "exchange"})


def _describes_a_theme(tok: Token, d: Draft, earlier: list[Draft]) -> bool:
    """"took delivery of 12 of the 48 howitzers it bought from South Korea": the clause on
    the weapons tells how they were got, not another transfer."""
    return d.type in ("arms_transfer", "troop_deployment") and tok.dep_ in ("relcl", "acl") \
        and any(e.type == d.type and e.theme_at == tok.head.i for e in earlier)


def _each_sender(d: Draft) -> list[Draft]:
    """"Troops were pledged by El Salvador, Chad and Bangladesh": three pledges."""
    senders = [a for a in d.actors if a.role == "sender" and a.kind == "country"]
    if d.type not in ("troop_deployment", "arms_transfer") or len(senders) < 2:
        return [d]
    rest = [a for a in d.actors if a.role != "sender"]
    return [replace(d, actors=[a, *rest], attribution=list(d.attribution),
                    disputed_by=list(d.disputed_by), also=list(d.also),
                    breakdown=list(d.breakdown)) for a in senders]


def _slots(s: Sentence, tok: Token, frame: Frame) -> dict[str, list[Token]]:
    got: dict[str, list[Token]] = {}

    def put(position: str, tokens: list[Token]) -> None:
        slot = frame.slots.get(position)
        tokens = [t for t in tokens if t.lower_ not in TEMPORAL and not _year(t)]
        if slot and tokens:
            got.setdefault(slot, []).extend(t for t in tokens if t not in got.get(slot, []))

    if is_verb(tok) or tok.tag_ == "JJ":
        lemma_of = s.lex.forms
        put("subj", subjects(tok, lemma_of))
        objs = objects(tok)
        if len(objs) >= 2 and "iobj" in frame.slots:  # "sent Ukraine 3 million shells"
            named = [o for o in objs if s.resolver.theme(o) is None
                     and s.resolver.parties(o, owners=False)]
            if named and len(named) < len(objs):
                put("iobj", named)
                objs = [o for o in objs if o not in named]
        if not objs and _telegraphic_passive(s, tok, frame):
            objs, got = got.pop(frame.slots["subj"], []), got  # "Two soldiers killed"
        put("obj", objs)
        put("iobj", indirect(tok))
        particles = {c.lower_ for c in tok.children if c.dep_ == "prt"}
        for word, obj in preps(tok):
            if word == "of" and particles & {"out", "off", "away"}:
                word = "from"  # "pulled its soldiers out of Somalia"
            put(word, [obj])
        for word, obj in _clause_preps(tok):  # "sent troops to Russia": "to" on troops
            if frame.slots.get(word) not in (None, "theme") and \
                    not got.get(frame.slots[word]):
                put(word, [obj])
    else:
        poss = [c for c in tok.children if c.dep_ in ("poss", "amod", "compound", "nmod")]
        own = [c for c in poss if c.i in s.resolver.at or c.tag_ in ("PRP$",)]
        put("subj", own)
        for word, obj in preps(tok):
            put(word, [obj])
            if word == "of":  # "the deployment of a brigade to Lithuania"
                for w, o in preps(obj):
                    if w in ("to", "into", "from", "in", "near", "along") and w != "of":
                        put(w, [o])
        mods = [c for c in tok.children if c.dep_ == "compound" and c not in own and (
            c.i in s.resolver.at or s.resolver.theme(c) is not None)]
        weapons = [c for c in mods if s.resolver.theme(c) is not None]
        if weapons and "with" in frame.slots and frame.slots["with"] == "instrument":
            put("with", weapons)  # "IED blast", "drone attack": the weapon, not the target
            mods = [c for c in mods if c not in weapons]
        carried = [o for w, o in preps(tok) if w == "of" and frame.slots.get("of") == "theme"]
        if carried and all(s.resolver.theme(o) is None for o in carried):
            # "drone deliveries of blood samples": the "of" says what is moved; the weapon
            # before the noun is what moves it
            mods = [c for c in mods if s.resolver.theme(c) is None]
        if mods and "obj" in frame.slots:
            put("obj", mods)
        head = _light_verb(s, tok, frame)
        if head is not None and s.lex.lemma(head.lower_) in _RECEIVING and \
                frame.name == "supply":  # "Taiwan takes delivery of 11 launchers from the US"
            if not got.get("recipient"):
                got["recipient"] = subjects(head, s.lex.forms)
            got.setdefault("agent", []).extend(got.pop("source", []))
        elif head is not None:  # "Kim held talks with Putin": the light verb's subject acts
            if not own:
                put("subj", subjects(head, s.lex.forms))
            elif all(c.tag_ == "PRP$" for c in own):  # "X completed its withdrawal"
                acting = subjects(head, s.lex.forms)
                if acting:
                    slot = frame.slots.get("subj", "")
                    got[slot] = [t for t in got.get(slot, []) if t not in own]
                    put("subj", acting)
            for word, obj in preps(head):
                if not got.get(frame.slots.get(word, "")):
                    put(word, [obj])
    return got


def _year(t: Token) -> bool:
    return t.like_num and len(t.text) == 4 and t.text[:2] in ("19", "20")


CODE_LEMMAS = _code_lemmas()  # verbs the code names, whose inflections the lexicon learns


def _telegraphic_passive(s: Sentence, tok: Token, frame: Frame) -> bool:
    """Headlines and notes drop the auxiliary: "Two soldiers killed, one wounded", "Troops
    deployed to border". A participle with a subject that is a theme and no object of its own
    is passive."""
    if tok.tag_ not in ("VBN", "VBD") or "obj" not in frame.slots or "subj" not in frame.slots \
            or "subject_is_theme" in frame.flags:
        return False
    if any(c.dep_ in ("aux", "auxpass", "dobj") for c in tok.children):
        return False
    subs = [c for c in tok.children if c.dep_ == "nsubj"]
    return bool(subs) and all(s.resolver.theme(x) is not None for x in subs)


def _clause_preps(verb: Token) -> list[tuple[str, Token]]:
    """Prepositional phrases inside the verb's own clause but attached lower down (the small
    parser often hangs "at Ukraine" on the object): breadth first, no nested clauses."""
    out: list[tuple[str, Token]] = []
    frontier = [c for c in verb.children if c.dep_ in ("dobj", "conj", "npadvmod", "advmod",
                                                       "nsubjpass", "attr", "oprd")]
    seen = 0
    while frontier and seen < 12:
        t = frontier.pop(0)
        seen += 1
        out += [(w, o) for w, o in preps(t) if w != "of"]
        frontier += [c for c in t.children if c.dep_ in ("conj", "appos", "compound")]
    return out


def _claims_responsibility(s: Sentence, tok: Token) -> bool:
    return s.lex.lemma(tok.lower_) == "claim" and tok.tag_.startswith("VB") and any(
        c.dep_ == "dobj" and c.lower_ in ("responsibility", "credit") for c in tok.children)


def _responsibility(s: Sentence, tok: Token) -> Draft:
    """"X claimed responsibility": X is the attacker of the attack it claims (scenes)."""
    claimants = [p for t in subjects(tok, s.lex.forms) for p in s.resolver.parties(t)
                 if p.kind != "generic"]
    acts = actors(s, "attacker", claimants, people=False)
    return Draft("responsibility", acts, "reported", s.text.strip(), s.start + tok.idx,
                 s.index, headline=s.headline)


def _light_verb(s: Sentence, noun: Token, frame: Frame) -> Token | None:
    """The verb a nominal trigger is the object of ("launched an attack", "ordered the
    call-up"): the verb's subject acts. For meetings also the verb of a phrase around the
    noun ("travelled to Cairo for talks with X", "discussed it in a call with Y")."""
    head = noun.head
    if frame.name == "meet" and noun.dep_ == "pobj" and head.lower_ in (
            "in", "during", "for", "at", "after", "on") and is_verb(head.head):
        return head.head
    lemma = s.lex.lemma(head.lower_)
    if noun.dep_ in ("dobj", "nsubjpass", "attr") and is_verb(head) and (
            lemma in LIGHT_VERBS or (lemma in _RECEIVING and frame.name == "supply")):
        return head  # not "X condemned the strike": condemning is not striking
    if noun.dep_ == "pobj" and head.dep_ == "prep" and is_verb(head.head) and \
            head.lower_ in ("under", "in"):
        return None  # "came under attack": the subject is the target
    return None


def _draft(s: Sentence, tok: Token, frame: Frame) -> Draft | None:
    if _adjunct_of_death(s, tok) or _describes_a_weapon(s, tok):
        return None  # "killed fighting Ukrainian forces", "a missile launched by the Houthis"
    slots = _slots(s, tok, frame)
    theme = _theme(s, tok, frame, slots)
    etype = frame.event_for(theme.cls if theme else None)
    if etype is None:
        return None
    if frame.name == "station" and theme is None:
        return None
    if not military_ok(s, tok, frame, slots, theme, etype):
        return None
    if etype == "arms_transfer" and _sent_to_strike(s, tok):
        return None  # "Thailand sent F-16s to strike positions": the strike is the event
    builder = BUILDERS[etype]
    built = builder(s, tok, frame, slots, theme)
    if built is None:
        return None
    actors, quantity, location = one_role_each(built.actors), built.quantity, built.location
    if not actors and etype not in ("casualties", "attack"):
        return None
    if etype == "attack" and not actors and not (built.armed_agent and location):
        return None
    if etype == "casualties" and quantity is None:
        return None
    if etype in ("arms_transfer", "troop_deployment") and not tok.tag_.startswith("VB") and \
            quantity is None and not any(a.role == "sender" for a in actors):
        return None  # "arms supplies", "the deployment": a topic, not a report
    location = location or fallback_place(s, actors)
    stance = read(tok, s.lex, lambda t: _source_name(s, t), _default_status(s, tok, frame))
    if stance.status is None:
        return None
    if frame.name == "receive" and stance.status in ("planned", "pledged") and not any(
            a.role == "sender" for a in actors):
        return None  # "Germany will buy 105 tanks": a procurement plan, no transfer yet
    d = Draft(etype, actors, stance.status, s.text.strip(), s.start + tok.idx, s.index,
              quantity=quantity, location=location, time_text=s.time_text,
              headline=s.headline, trigger=tok.lower_)
    d.direction = frame.direction if etype == "troop_deployment" else None
    d.trigger_verb = tok.tag_.startswith("VB")
    d.armed_agent, d.victim_unit = built.armed_agent, built.victim_unit
    d.background = s.retrospective or is_background(tok, s.lex, s.year, s.prior)
    _apply_stance(s, d, stance, slots)
    if d.status == "completed" and _hedged_agent(slots):
        d.status = "reported"  # "suspected jihadists killed 11": who did it is not known
    if d.status == "completed" and theme is not None and theme.amount is not None \
            and theme.amount.estimated:
        d.status = "estimated"  # "keeps an estimated 1,500 troops": the count is an estimate
    d.theme_at = theme.token.i if theme is not None else -1
    d.partitive = bool(theme and theme.partitive)
    d.anaphoric = bool(theme and theme.amount is None and _definite(theme.token)) or (
        not tok.tag_.startswith("VB") and _definite(tok) and not slots)
    d.confidence = _confidence(d)
    return d


_HEDGES = frozenset({"suspected", "alleged", "presumed", "purported", "unidentified"})


def _hedged_agent(slots: dict[str, list[Token]]) -> bool:
    return any(c.dep_ in ("amod", "compound") and c.lower_ in _HEDGES
               for t in slots.get("agent", []) for c in t.children)


def _adjunct_of_death(s: Sentence, tok: Token) -> bool:
    return tok.dep_ == "advcl" and tok.tag_ == "VBG" and s.lex.lemma(tok.head.lower_) in (
        "kill", "die", "wound", "injure", "perish")


def _describes_a_weapon(s: Sentence, tok: Token) -> bool:
    """A participle on a weapon that another event of the sentence is about ("intercepted a
    missile launched by the Houthis", "killed by shells fired from Russia")."""
    head = tok.head
    if tok.dep_ not in ("acl", "relcl") or tok.tag_ not in ("VBN", "VBD"):
        return False
    th = s.resolver.theme(head)
    return th is not None and th.cls == "munition" and any(
        triggers(head.head, s.lex) for _ in (0,)) and head.head.i != head.i


def _default_status(s: Sentence, tok: Token, frame: Frame) -> str | None:
    if frame.name == "support" and s.lex.lemma(tok.lower_) in ("train", "fund", "finance",
                                                                "equip", "assist", "aid") \
            and tok.tag_ in ("VBD", "VBN"):
        return None
    return frame.status


def _apply_stance(s: Sentence, d: Draft, stance: Stance, slots: dict[str, list[Token]]) -> None:
    names = [src.name for src in stance.sources if src.name]
    d.attribution = list(dict.fromkeys(names))
    if stance.status == "denied":
        denier = stance.denier
        who = _party_of(s, denier.token) if denier and denier.token is not None else None
        agents = {a.code for a in d.actors if a.role in AGENT_ROLES and a.code}
        if who is not None and who.code and who.code not in agents and not who.pronoun:
            d.status = "disputed"
        if who is not None and who.state and who.code and who.kind in ("place", "country"):
            name: str | None = s.resolver.country_name(who.code)  # "Tehran denied": Iran
        else:
            name = (who.name if who and who.state and who.kind != "person" else
                    denier.name if denier else None)
        if name:
            d.disputed_by.append(name)
    agents = {a.code for a in d.actors if a.role in AGENT_ROLES and a.code}
    for src in stance.sources:
        p = _party_of(s, src.token) if src.token is not None else None
        if p is not None and p.code in agents:
            d.self_report = True


def _party_of(s: Sentence, t: Token | None) -> Party | None:
    if t is None:
        return None
    found = s.resolver.parties(t)
    return found[0] if found else None


def _source_name(s: Sentence, t: Token) -> str | None:
    """A source's name: the canonical name of a mention, else its noun phrase ("Western
    officials", "the regional governor" -> "regional governor")."""
    m = s.resolver.at.get(t.i)
    if m is not None:
        e = m.entry
        if e.kind == "place" and e.subtype == "capital" and e.country:
            return s.resolver.country_name(e.country)
        if e.kind == "country" and e.subtype == "demonym":
            return _generic_source(t) or s.resolver.country_name(e.country or "")
        return e.name
    if t.tag_ in ("PRP",):
        found = s.resolver.parties(t)
        return found[0].name if found else None
    for c in t.children:  # "a spokesman for the ministry", "officials in Kyiv"
        if c.dep_ == "compound" and c.i in s.resolver.at:
            return s.resolver.at[c.i].entry.name
    return _generic_source(t)


def _generic_source(t: Token) -> str | None:
    words = [w for w in t.lefts if w.dep_ in ("amod", "compound", "nmod")
             and w.lower_ not in ("unnamed", "anonymous", "unidentified", "senior", "other",
                                  "several", "two", "three", "some", "local")]
    head = t.text
    if words and t.lower_ in ("assessment", "assessments", "report", "statement", "data",
                              "figures"):
        return " ".join(w.text for w in words)
    if t.lower_ in ("it", "they", "he", "she", "this", "that", "which", "who"):
        return None
    return " ".join([*(w.text for w in words), head]) if words or t.tag_ == "NNP" else head


def _definite(t: Token) -> bool:
    return any(c.lower_ in ("the", "these", "those", "this", "that") for c in t.lefts)


def _theme(s: Sentence, tok: Token, frame: Frame, slots: dict[str, list[Token]]
           ) -> Theme | None:
    r = s.resolver
    candidates: list[Token] = []
    for slot in ("theme2", "theme", "victim", "place"):
        candidates += slots.get(slot, [])
    if "object_recipient_with" in frame.flags and slots.get("theme2"):
        candidates = slots["theme2"]
    if frame.name in ("kill", "die", "casualty") and not tok.tag_.startswith("VB"):
        candidates = [tok, *candidates]
    for t in candidates:
        th = r.theme(t)
        if th is not None:
            return th
    if "intransitive_theme" in frame.flags:  # "Russian troops are massing near the border"
        for t in slots.get("agent", []):
            th = r.theme(t)
            if th is not None and (th.amount is not None or t.tag_ == "NNS"):
                return th  # (not "the army has moved from a strategy of containment")
    if tok.tag_.startswith("VB") and not objects(tok) and frame.name in _COUNTED_FRAMES:
        return _stranded_theme(s, tok)
    if not tok.tag_.startswith("VB") and frame.name in _FORCE_FRAMES:
        return _implied_forces(s, tok, slots)
    return None


_FORCE_FRAMES = frozenset({"send", "deploy", "station", "move", "withdraw"})


def _implied_forces(s: Sentence, tok: Token, slots: dict[str, list[Token]]) -> Theme | None:
    """"US-led coalition forces have completed their withdrawal from Ain al-Asad": a
    deployment noun whose owner is an armed force and whose place is named moves forces."""
    agents = [p for t in slots.get("agent", []) for p in s.resolver.parties(t)]
    forces = [t for t in slots.get("agent", []) if s.resolver.theme(t) is not None]
    armed = [p for p in agents if p.state and p.kind != "place"]
    where = [t for name in ("source", "recipient", "location") for t in slots.get(name, [])
             if s.resolver.place(t) is not None or _installation(s, t)]
    if where and (armed or forces):
        return Theme("troop", "troops", tok, None, None, armed)
    return None


def _installation(s: Sentence, t: Token) -> bool:
    th = s.resolver.theme(t)  # "withdrawal from the air base"
    return th is not None and th.cls == "installation"


_COUNTED_FRAMES = frozenset({"send", "deploy", "supply", "pledge", "station", "move",
                             "intercept"})


def _stranded_theme(s: Sentence, tok: Token) -> Theme | None:
    """A verb whose object the small parser lost ("the 6,000 extra personnel Shoigu said
    North Korea had pledged"): a counted theme noun before it that no verb governs."""
    after = list(tok.doc[tok.i + 1:tok.i + 9])  # "shot down 41 of the 55 drones" misparsed
    for t in [*after, *reversed(list(tok.doc[:tok.i]))]:
        th = s.resolver.theme(t)
        if th is not None and th.amount is not None and th.cls in ("troop", "munition") \
                and not (t.head.tag_.startswith("VB") and t.head.i != tok.i and
                         t.dep_ in ("dobj", "nsubj", "nsubjpass")):
            return th
    return None


def _confidence(d: Draft) -> float:
    roles = {a.role for a in d.actors}
    score = 0.45 + 0.1 * min(len(roles), 2) + (0.15 if d.quantity else 0.0)
    score += 0.05 if d.attribution else 0.0
    score += 0.05 if d.location else 0.0
    score -= 0.1 if d.status in ("reported", "planned") else 0.0
    score -= 0.05 if d.headline else 0.0
    return round(max(0.05, min(score, 0.95)), 2)
