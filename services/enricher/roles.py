"""Roles per event type, from a frame's resolved slots: who sent what to whom, who attacked
whom where, whose people were killed, who called up whom, who backed whom, who met whom.

Each builder returns a ``Built`` (actors with roles, the count, the place) or None when the
sentence does not give the event's core roles. States act through their organs and people
("Putin ordered" is Russia); places stand for their country only as targets, recipients,
victims and hosts.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Token

from services.enricher.arguments import Party, Theme
from services.enricher.lexicon import Frame
from services.enricher.model import Built, Sentence
from services.enricher.syntax import is_verb, objects, preps, subjects
from shared.records import Actor, Location, Quantity

Slots = dict[str, list[Token]]
Builder = Callable[[Sentence, Token, Frame, Slots, "Theme | None"], "Built | None"]

_KILL_UNITS = {"wound": "wounded", "injure": "wounded", "maim": "wounded", "abduct": "captured",
               "kidnap": "captured", "capture": "captured", "take": "captured"}
_NOUN_UNITS = {"wounded": "wounded", "injured": "wounded", "injuries": "wounded",
               "injury": "wounded", "casualties": "casualties", "casualty": "casualties",
               "losses": "casualties", "abduction": "captured", "kidnapping": "captured",
               "abductions": "captured"}
_PLACE_ROLES = frozenset({"target", "recipient", "victim", "participant"})
_OFFICIALS = frozenset({"minister", "president", "officials", "official", "delegation",
                        "counterpart", "envoy", "leader", "leaders", "diplomats", "diplomat",
                        "ministers", "chief", "commander", "commanders", "secretary",
                        "ambassador", "premier", "chancellor", "king", "delegations",
                        "representatives", "negotiators", "spokesman", "spokeswoman"})
_CIVILIAN_UNITS = frozenset({"civilians", "people", "children", "police"})


def parties(s: Sentence, slots: Slots, *names: str) -> list[Party]:
    out: list[Party] = []
    for name in names:
        for t in slots.get(name, []):
            out += [p for p in s.resolver.parties(t) if p not in out]
    return out


def location(s: Sentence, slots: Slots, *names: str) -> Location | None:
    """The most specific place among the slots (a town with coordinates over a country)."""
    best: Location | None = None
    for name in names:
        for t in slots.get(name, []):
            loc = s.resolver.place(t)
            if loc is None:
                for word, obj in preps(t):  # "a refinery in Saratov"
                    if word in ("in", "near", "at", "outside"):
                        loc = s.resolver.place(obj) or _owner_place(s, obj)
                        if loc:
                            break
            if loc is not None and (best is None or _more_specific(s, loc, best)):
                best = loc
    return best


def _owner_place(s: Sentence, t: Token) -> Location | None:
    """"in Iraq's western Anbar province": the province is unknown, its country is not."""
    return next((loc for c in t.children if c.dep_ == "poss"
                 for loc in [s.resolver.place(c)] if loc is not None), None)


def _more_specific(s: Sentence, loc: Location, best: Location) -> bool:
    if loc.lat is not None and best.lat is None:
        return True
    return best.name == s.resolver.country_name(best.country or "") and loc.name != best.name


def fallback_place(s: Sentence, actors_: list[Actor]) -> Location | None:
    """A place the sentence names for what happened, when the slots named none."""
    places = s.resolver.sentence_places()
    return places[0] if places else None


def actors(s: Sentence, role: str, found: list[Party], *, people: bool = True) -> list[Actor]:
    out: list[Actor] = []
    for p in found:
        if p.kind == "person":
            if people:
                out.append(Actor(role, p.name, "person", None))
            if p.code:
                out.append(Actor(role, s.resolver.country_name(p.code), "country", p.code))
        elif p.state and p.code:
            out.append(Actor(role, s.resolver.country_name(p.code), "country", p.code))
        elif p.kind == "organisation":
            out.append(Actor(role, p.name, "organisation", None))
        elif p.kind == "place" and p.code and role in _PLACE_ROLES:
            out.append(Actor(role, s.resolver.country_name(p.code), "country", p.code))
    seen: set[tuple[str, str]] = set()
    uniq = []
    for a in out:
        if (a.role, a.name) not in seen:
            seen.add((a.role, a.name))
            uniq.append(a)
    return uniq


def codes(found: list[Party]) -> set[str]:
    return {p.code for p in found if p.code and (p.state or p.kind == "person")}


def _agents(s: Sentence, slots: Slots) -> tuple[list[Party], bool]:
    """Who acts: named parties of the agent slot, or the owners of an agent that is a weapon
    or force ("Russian missiles struck", "an Israeli strike"); and whether an armed or state
    actor acts at all (named or not: "gunmen", "the army")."""
    r = s.resolver
    out: list[Party] = []
    armed = False
    for t in slots.get("agent", []):
        found = r.parties(t)
        armed = armed or any(p.generic or p.state or p.kind == "organisation" for p in found)
        if not found or all(p.kind == "generic" for p in found):
            th = r.theme(t)
            if th is not None and th.owners:
                found = th.owners
                armed = armed or th.cls in ("munition", "force", "troop")
            elif th is not None and th.cls in ("munition", "force", "troop"):
                armed = True
        out += [p for p in found if p not in out and p.kind != "generic"]
    return out, armed


def _deployment(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
                ) -> Built | None:
    agents, armed = _agents(s, slots)
    host = s.lex.lemma(tok.lower_) in frame.host_subject
    senders = [] if host else agents
    if theme is not None and (not senders or "subject_is_theme" in frame.flags):
        senders = senders or [p for p in theme.owners if p.kind != "place"]
    recipients = agents if host else parties(s, slots, "recipient", "beneficiary")
    loc = location(s, slots, "location", "recipient", "destination", "source", "theme")
    sender_codes = codes(senders)
    if frame.direction == "withdraw":
        source = [p for p in parties(s, slots, "source") if p.code not in sender_codes]
        recipients = recipients or source
    recipients = [p for p in recipients if not (p.code and p.code in sender_codes)]
    if not recipients and loc is not None and loc.country and loc.country not in sender_codes:
        recipients = [Party(loc.name, "place", loc.country)]
    focus = s.resolver.discourse.focus
    if not recipients and senders and focus and focus not in sender_codes:
        recipients = [Party(s.resolver.country_name(focus), "place", focus)]
    acts = actors(s, "sender", senders) + actors(s, "recipient", recipients)
    return Built(acts, theme.quantity() if theme else None, loc, armed)


def _transfer(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
              ) -> Built | None:
    senders, armed = _agents(s, slots)
    recipients = parties(s, slots, "recipient")
    if "object_recipient_with" in frame.flags and slots.get("theme2"):
        recipients += [p for t in slots.get("theme", []) for p in
                       s.resolver.parties(t, owners=False)]
    if not senders and theme is not None:  # "Russia's shells"; not "Taiwan took its tanks"
        taking = codes(recipients)
        senders = [p for p in theme.owners if p.kind != "place" and p.code not in taking]
        senders = senders or _ordered_from(s, theme, taking)
    sender_codes = codes(senders)
    recipients = [p for p in recipients if not (p.code and p.code in sender_codes)
                  or p.kind == "organisation"]
    focus = s.resolver.discourse.focus
    if not recipients and senders and focus and focus not in sender_codes:
        recipients = [Party(s.resolver.country_name(focus), "place", focus)]
    acts = actors(s, "sender", senders) + actors(s, "recipient", recipients)
    return Built(acts, theme.quantity() if theme else None, location(s, slots, "location"),
                 armed)


def _ordered_from(s: Sentence, theme: Theme, taking: set[str]) -> list[Party]:
    """"the 108 tanks it ordered from the US": the seller, in a clause on the weapons."""
    for c in theme.token.children:
        if c.dep_ in ("relcl", "acl"):
            for word, obj in preps(c):
                if word == "from":
                    return [p for p in s.resolver.known(obj)
                            if p.state and p.code and p.code not in taking]
    return []


def _interception(s: Sentence, slots: Slots, theme: Theme | None) -> Built:
    """"air defences shot down 29 of 35 drones launched by Russia": the launcher attacked
    the defender, with the launched count."""
    defenders = parties(s, slots, "target")
    attackers = [p for p in theme.owners if p.kind != "place"] if theme else []
    if theme is not None:
        for c in theme.token.children:
            if c.dep_ in ("acl", "relcl"):
                attackers = attackers or [p for a in subjects(c) for p in s.resolver.parties(a)]
            elif c.dep_ == "appos":  # "the 55 drones Russia launched" (misparsed)
                attackers = attackers or [p for p in s.resolver.known(c) if p.state]
    if not attackers:  # "Russia launched 103 drones ...; 87 were shot down"
        attackers = [p for t in theme.token.doc if t.tag_.startswith("VB") and
                     s.lex.lemma(t.lower_) in ("launch", "fire") for x in subjects(t)
                     for p in s.resolver.parties(x) if p.state] if theme else []
    acts = actors(s, "attacker", attackers) + actors(s, "target", defenders)
    return Built(acts, theme.launched() if theme else None, location(s, slots, "location"),
                 True)


def _attack(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
            ) -> Built | None:
    if "reverse" in frame.flags:
        return _interception(s, slots, theme)
    if frame.name == "capture" and theme is not None and theme.cls in ("person", "troop"):
        return None  # "captured two soldiers": casualties (captured), not territory taken
    if _into_the_sea(slots):
        return None  # "fired two missiles into the sea": a test, not an attack on anyone
    attackers, armed = _agents(s, slots)
    for t in slots.get("instrument", []):
        th = s.resolver.theme(t)
        if th is not None and not attackers:
            attackers += [p for p in th.owners if p.kind != "place"]
    if not attackers:  # "Russian strikes", "the Israeli offensive"
        attackers = [p for p in s.resolver.owners(tok) if p.kind != "place"]
    loc = location(s, slots, "location", "target", "place")
    weapons = [t for t in slots.get("target", []) if _is_weapon(s, t)]
    for t in weapons:  # "fired 40 drones at Kyiv": the object is the weapon, not the target
        th = s.resolver.theme(t)
        if th is not None and not attackers:
            attackers = [p for p in th.owners if p.kind != "place"]
    slots = {**slots, "target": [t for t in slots.get("target", []) if t not in weapons],
             "instrument": [*slots.get("instrument", []), *weapons]}
    targets = [p for p in parties(s, slots, "target", "party") if p not in attackers
               and not (p.kind == "organisation" and p.entry is None)]  # NER-only names
    attacker_codes = codes(attackers)
    if not targets and loc is not None and loc.country and (
            loc.country not in attacker_codes or frame.name == "capture"):
        targets = [Party(loc.name, "place", loc.country)]
    targets = [p for p in targets if not (p.kind == "place" and p.code in attacker_codes
                                          and frame.name != "capture")]
    if not targets:
        targets = _implied_target(s, attackers, loc)  # "attacked a military base"
    acts = actors(s, "attacker", attackers) + actors(s, "target", targets)
    return Built(acts, _weapon_count(s, slots, theme), loc, armed or bool(attackers))


def _is_weapon(s: Sentence, t: Token) -> bool:
    th = s.resolver.theme(t)
    return th is not None and th.cls == "munition"


def _into_the_sea(slots: Slots) -> bool:
    return any(t.lower_ in ("sea", "ocean", "waters") for name in ("target", "location")
               for t in slots.get(name, []))


def _implied_target(s: Sentence, attackers: list[Party], loc: Location | None) -> list[Party]:
    """An armed group's attack on something no one owns in the text ("attacked a military
    base") hits the state where it happens: the place's country, else the dateline's (where
    the reporter is, usually where it happened), else the group's home country (groups
    strike across borders: a dateline abroad says more than where the group comes from)."""
    own = codes(attackers)
    groups = [p for p in attackers if p.kind == "organisation" and p.entry is not None]
    for code in (loc.country if loc else None, s.resolver.discourse.focus,
                 *(p.entry.country for p in groups if p.entry)):
        if code and code not in own:
            return [Party(s.resolver.country_name(code), "place", code)]
    return []


def _weapon_count(s: Sentence, slots: Slots, theme: Theme | None) -> Quantity | None:
    for t in [*slots.get("instrument", []), *slots.get("agent", []), *slots.get("theme", [])]:
        th = s.resolver.theme(t)
        if th is not None and th.cls == "munition" and th.amount is not None:
            return th.quantity()
    if theme is not None and theme.cls == "munition":
        return theme.quantity()
    return None


def _casualties(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
                ) -> Built | None:
    r = s.resolver
    if theme is None or theme.amount is None:
        theme = _toll(s, tok)
        if theme is None:
            return None
    victims = [p for p in theme.owners if p.kind != "generic"]
    victims = victims or [p for t in slots.get("victim_owner", [])  # "Russia has lost ..."
                          for p in r.parties(t) if p.kind != "generic"]
    lost = theme.token.head if theme.token.dep_ == "dobj" else None
    if not victims and lost is not None and s.lex.lemma(lost.lower_) == "lose":
        victims = [p for x in subjects(lost) for p in r.parties(x) if p.kind != "generic"]
    attackers, armed = _agents(s, slots)
    for t in slots.get("victim", []):
        if not victims:
            victims = [p for p in r.parties(t, owners=False) if p.kind != "generic"]
    group = s.resolver.discourse.group
    if not victims and theme.unit == "militants" and group is not None and all(
            a.name != group.name for a in attackers):  # "killed nine of the attackers"
        victims = [group]
    loc = location(s, slots, "location", "victim") or fallback_place(s, [])
    if not victims and loc is not None and loc.country and theme.unit != "militants":
        civilian = theme.unit in _CIVILIAN_UNITS
        if civilian or loc.country not in codes(attackers):
            victims = [Party(loc.name, "place", loc.country)]
    acts = actors(s, "victim", victims, people=False) + actors(s, "attacker", attackers,
                                                               people=False)
    return Built(acts, theme.quantity(_casualty_unit(s, tok)), loc, armed, theme.unit)


def _toll(s: Sentence, tok: Token) -> Theme | None:
    """"the death toll rose to 40", "the toll stands at 40": the count is elsewhere."""
    for c in tok.children:  # "Fatalities: 3" in an incident log
        if c.like_num and c.dep_ in ("appos", "nummod", "npadvmod", "attr", "punct", "dep"):
            return s.resolver.theme(c)
    nxt = tok.doc[tok.i + 1:tok.i + 3]
    if len(nxt) == 2 and nxt[0].text == ":" and nxt[1].like_num:
        return s.resolver.theme(nxt[1])
    head = tok.head
    if tok.dep_ in ("nsubj",) and is_verb(head):
        for word, obj in preps(head):
            if word in ("to", "at") and obj.like_num:
                return s.resolver.theme(obj)
        for c in head.children:
            if c.dep_ in ("attr", "dobj") and c.like_num:
                return s.resolver.theme(c)
    return None


def _casualty_unit(s: Sentence, tok: Token) -> str:
    """killed, wounded, captured, or killed_or_wounded for one count of both ("6,000 were
    killed or wounded"; but "killing four and wounding 19" is two counts)."""
    lemma = s.lex.lemma(tok.lower_)
    linked = [c for c in tok.children if c.dep_ == "conj" and not _own_object(c)]
    if tok.dep_ == "conj" and not _own_object(tok):
        linked.append(tok.head)
    pair = {lemma, *(s.lex.lemma(c.lower_) for c in linked)}
    if "kill" in pair and pair & {"wound", "injure"}:
        return "killed_or_wounded"
    if " killed or wounded" in f" {s.text.lower()}" and lemma in ("kill", "wound"):
        return "killed_or_wounded"
    if tok.tag_.startswith("VB"):
        return _KILL_UNITS.get(lemma, "killed")
    return _NOUN_UNITS.get(tok.lower_, "killed")


def _own_object(verb: Token) -> bool:
    """Does a coordinated verb count its own victims ("killing four and wounding 19",
    "three killed and one wounded")?"""
    return any(c.dep_ in ("dobj", "nsubjpass", "nsubj") for c in verb.children)


def _mobilisation(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
                  ) -> Built | None:
    subjects_, armed = _agents(s, slots)
    loc = location(s, slots, "location")
    if not subjects_ and loc is not None and loc.country:
        subjects_ = [Party(loc.name, "place", loc.country, state=True)]
    if not subjects_ and theme is not None:
        subjects_ = theme.owners
    acts = actors(s, "subject", subjects_, people=False)
    count = theme.quantity() if theme and theme.cls in ("troop", "person", "number") else None
    return Built(acts, count, loc, armed)


def _support(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
             ) -> Built | None:
    supporters, armed = _agents(s, slots)
    recipients = [p for p in parties(s, slots, "recipient", "partner") if p not in supporters]
    if not recipients:  # "support whatever Russia does", "all measures taken by Moscow"
        near = [*slots.get("recipient", []),
                *(c for c in tok.children if c.dep_ in ("ccomp", "dobj"))]
        recipients = [p for t in near for x in t.subtree for p in s.resolver.known(x)
                      if p.state and p not in supporters][:1]
    both = parties(s, slots, "party")
    if not supporters and len(both) >= 2:
        supporters, recipients = both[:1], both[1:]
    if not recipients and len(supporters) >= 2:
        supporters, recipients = supporters[:1], supporters[1:]
    recipients = [p for p in recipients if not (p.code and p.code in codes(supporters))]
    if not supporters or not recipients:
        return None
    acts = actors(s, "supporter", supporters) + actors(s, "recipient", recipients)
    return Built(acts, None, location(s, slots, "location"), armed)


def _held_by(s: Sentence, tok: Token) -> list[Token]:
    """Who takes part in a call or talks told as the setting of a clause ("Araghchi
    discussed the allegations in a phone call with X", "Zelensky thanked Merz for the
    systems in a phone call"): that clause's subject and object, unless the clause tells
    another event ("Israel struck Hamas leaders at a meeting in Doha")."""
    prep = tok.head
    if not tok.tag_.startswith("NN") or tok.dep_ != "pobj" or prep.lower_ not in (
            "in", "during", "at", "on", "over"):
        return []
    verb = prep.head
    for _ in range(4):  # up through "the allegations", "for the systems"
        if is_verb(verb) or verb.dep_ not in ("dobj", "attr", "pobj", "prep"):
            break
        verb = verb.head
    entries = s.lex.verbs.get(s.lex.lemma(verb.lower_), [])
    if not is_verb(verb) or any(e.frame.name not in ("meet", "discuss") for e in entries):
        return []
    return [*subjects(verb), *objects(verb)]


def _contact(s: Sentence, tok: Token, frame: Frame, slots: Slots, theme: Theme | None
             ) -> Built | None:
    found = [p for t in [*slots.get("participant", []), *_held_by(s, tok)]
             for p in s.resolver.parties(t, owners=t.lower_ in _OFFICIALS) if p.kind != "generic"
             and not (p.kind == "organisation" and p.entry is None and _of_meeting(t))]
    places = [p for t in slots.get("place", []) for p in s.resolver.parties(t, owners=False)]
    found += [p for p in places if p.kind == "person" and p not in found]  # "spoke to X"
    people = [p for p in found if p.kind == "person"]
    pool = people if len({p.name for p in people}) >= 2 else found + [
        p for p in places if p.code and p.code not in codes(found)]
    keys = {p.name if p.kind == "person" else p.code or p.name for p in pool}
    if len(keys) < 2 or all(p.pronoun for p in pool):
        return None  # "the two leaders discussed ...": the talks already told
    acts = actors(s, "participant", pool, people=True)
    if len({p.name for p in people}) >= 2:
        acts = [a for a in acts if a.kind == "person"]
    return Built(acts, None, location(s, slots, "location", "place"))


def _of_meeting(t: Token) -> bool:
    """"a meeting of the National Security Council": the body that sat, no side of a talk."""
    return t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.tag_.startswith("NN")


BUILDERS: dict[str, Builder] = {
    "troop_deployment": _deployment,
    "arms_transfer": _transfer,
    "attack": _attack,
    "casualties": _casualties,
    "mobilisation": _mobilisation,
    "military_support": _support,
    "diplomatic_contact": _contact,
}
