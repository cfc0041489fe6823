"""Word sense: does a sentence use a trigger in its military sense?

"Strike", "attack", "launch", "hit", "support" and "killed" have civilian senses that news
copy uses daily (a labour strike, a team's attack, a satellite launch, a market hit, support
for a bill, a road crash). A reading is military when one of the trigger's arguments is (a
weapon or a force, an armed or state actor) and the sentence is not in another register (a
match report, a market story, a disaster) without one.
"""

from __future__ import annotations

from spacy.tokens import Token

from services.enricher.arguments import Party, Theme
from services.enricher.lexicon import Frame, words
from services.enricher.model import SCENE, Sentence

STRONG_ATTACK = frozenset({"shell", "bomb", "bombard", "airstrike", "shelling", "bombing",
                           "bombardment", "ambush", "invasion", "offensive", "counteroffensive",
                           "barrage", "salvo", "incursion", "raid", "assault", "storm",
                           "torpedo", "invade", "besiege", "siege", "firefight", "skirmish",
                           "air strike", "air raid", "ied"})
# verbs with everyday senses ("launched a product", "hit a record", "fired the coach"):
# military only with a weapon among their arguments or an armed actor acting on a place
WEAPON_REQUIRED = frozenset({"launch", "fire", "shoot", "hit", "target", "blast", "rocket",
                             "engage", "batter", "pound", "down", "destroy", "take", "claim",
                             "leave", "surround", "encircle", "fight", "explosion", "operation",
                             "clash", "battle", "fighting"})
NON_WEAPONS = frozenset({"sanctions", "tariffs", "tariff", "fines", "criticism", "lawsuit",
                         "lawsuits", "taxes", "tax", "ads", "ad", "campaign", "record", "high",
                         "low", "prices", "price", "shares", "stocks", "target", "targets",
                         "goal", "goals", "ball", "note", "notes", "headlines", "market",
                         "wall", "roadblock", "snag", "jackpot", "streets", "road", "polls",
                         "ballot", "button", "hurdle", "bottom", "peak", "milestone", "app",
                         "product", "satellite", "satellites", "probe", "spacecraft",
                         "appeal", "investigation", "inquiry", "bid", "shot", "shots",
                         "penalty", "free-kick", "winner", "equaliser", "volley", "cross",
                         "crosses", "punches", "punch", "crime", "corruption", "inflation",
                         "poverty", "disease", "fires", "wildfire", "wildfires", "drugs",
                         "terrorism", "extremism", "hunger", "climate", "unemployment",
                         "misinformation", "disinformation", "fraud", "smuggling"})
_MILITARY_CLASSES = frozenset({"munition", "force", "troop"})


def military_ok(s: Sentence, tok: Token, frame: Frame, slots: dict[str, list[Token]],
                theme: Theme | None, etype: str) -> bool:
    """Does the sentence read this trigger in its military sense?"""
    if figurative(s, tok) or _a_force_of_civilians(s, theme, slots):
        return False
    if "simulation" in s.register or _told_in_a_work(s, tok):
        return False  # "in most of the scenarios played, China launched strikes"
    if etype in ("mobilisation", "troop_deployment") and theme is not None and \
            theme.unit in ("civilians", "children"):
        return False  # "shipyards recruited welders and workers from Nepal": no force
    weapon = _weapon(s, tok, slots, theme)
    if weapon is None:
        return False  # an argument is a civilian thing: "hit by sanctions"
    armed = _armed(s, slots)
    other = bool(s.register - {"crime", "disaster"}) and not military_sentence(s)
    lemma = s.lex.lemma(tok.lower_)
    if etype == "attack":
        return _attack_sense(s, lemma, slots, weapon, armed, other)
    if etype == "military_support":  # a state backing a state, in a story about a war
        return military_sentence(s) or weapon or tok.lower_ in ("pact", "treaty", "alliance") \
            or (s.military_doc and armed)
    if etype == "casualties":
        if {"disaster", "medical"} & s.register and not military_sentence(s):
            return False
        if "crime" in s.register and not (s.military_doc or military_sentence(s)):
            return False
        return s.military_doc or military_sentence(s) or armed or _after_an_attack(s)
    if etype == "diplomatic_contact":
        return (s.military_doc or military_sentence(s) or _security_officials(s, slots)) \
            and "sports" not in s.register
    return not other or weapon


def _after_an_attack(s: Sentence) -> bool:
    """"Russian forces shelled the village. Two civilians were killed.": a count told just
    after an attack is that attack's toll, in the attack's sense (scenes.py links them)."""
    told = s.resolver.discourse.attack_at
    return told is not None and 0 < s.index - told <= SCENE


def _attack_sense(s: Sentence, lemma: str, slots: dict[str, list[Token]], weapon: bool,
                  armed: bool, other: bool) -> bool:
    if (other or "exercise" in s.register) and not (weapon and _named_target(s, slots)):
        return False
    if "exercise" in s.register and not any(
            p.kind not in ("generic", "place") for t in slots.get("target", [])
            for p in s.resolver.parties(t)):
        return False  # a drill "opened fire at the manoeuvre area": no one was attacked
    if "crime" in s.register and not (s.military_doc or military_sentence(s)):
        return False
    if lemma in WEAPON_REQUIRED and not weapon and not (
            armed and (slots.get("location") or slots.get("target"))
            and (s.military_doc or military_sentence(s))):
        return False
    if weapon or armed:
        return True
    return lemma in STRONG_ATTACK and (s.military_doc or military_sentence(s)) and \
        _named_target(s, slots)


def _named_target(s: Sentence, slots: dict[str, list[Token]]) -> bool:
    return any(p.kind != "generic" for name in ("target", "place", "location")
               for t in slots.get(name, []) for p in s.resolver.parties(t))


def _weapon(s: Sentence, tok: Token, slots: dict[str, list[Token]], theme: Theme | None
            ) -> bool | None:
    """True when a weapon or force is among the arguments, None when a civilian thing is."""
    r = s.resolver
    weapon = theme is not None and theme.cls in _MILITARY_CLASSES
    for name in ("instrument", "agent", "theme", "target"):
        for t in slots.get(name, []):
            if t.lower_ in NON_WEAPONS and not weapon:
                return None
            th = r.theme(t)
            weapon = weapon or (th is not None and th.cls in _MILITARY_CLASSES and name != "target")
    for c in tok.children:  # "drone attack", "missile strikes"
        if c.dep_ in ("compound", "amod"):
            th = r.theme(c)
            weapon = weapon or (th is not None and th.cls in ("munition", "force"))
    return weapon


def _armed(s: Sentence, slots: dict[str, list[Token]]) -> bool:
    """An armed or state actor acts: a country, a state organ, an armed group, or a common
    noun for one ("militants", "the army"); owners of other nouns ("Nigeria's unions") do
    not count."""
    for t in slots.get("agent", []):
        for p in s.resolver.parties(t, owners=False):
            if p.generic or (p.state and p.kind != "place") or _armed_body(p):
                return True
        th = s.resolver.theme(t)
        if th is not None and th.cls in _MILITARY_CLASSES:
            return True
        if any(e.frame.name == "attack" for e in s.lex.nouns.get(s.lex.lemma(t.lower_), ())):
            return True  # "an Israeli air strike killed ...": the strike is armed
    return False


_SECURITY_POSTS = ("leader", "foreign_minister", "defence_minister", "defence_secretary",
                   "secretary_of_state", "nato_secretary_general", "security_council_secretary",
                   "commander", "chief_of_staff", "intelligence_chief", "un_secretary_general",
                   "eu_foreign_policy_chief")


def _security_officials(s: Sentence, slots: dict[str, list[Token]]) -> bool:
    """Leaders, foreign and defence ministers of two countries meeting: what they meet about
    is the business of a watch floor even when the sentence does not say."""
    found = {p.code for name in ("participant", "place") for t in slots.get(name, [])
             for p in s.resolver.parties(t, owners=False)
             if p.kind == "person" and p.entry is not None and p.entry.subtype in _SECURITY_POSTS}
    return len(found) >= 2


def _armed_body(p: Party) -> bool:
    """A group the gazetteer knows as armed (not any organisation the NER names)."""
    return p.entry is not None and p.entry.subtype in ("armed_group", "armed_forces", "mission")


def military_sentence(s: Sentence) -> bool:
    low = s.text.lower()
    found = s.lex.military & set(words(low))
    if "crime" in s.register:
        found -= s.lex.either_violence
    if "sports" in s.register:
        found -= s.lex.either_sport
    return bool(found) or any(p in low for p in s.lex.military_phrases)


def _a_force_of_civilians(s: Sentence, theme: Theme | None, slots: dict[str, list[Token]]
                          ) -> bool:
    """"mobilised an army of pickets", "deployed a team of inspectors": what the event moves
    is, by its "of", people who are no force ("an army of 10,000 soldiers" and "an army of
    10,000" are forces)."""
    heads = [t for t in ([theme.token] if theme is not None else slots.get("theme", []))
             if not t.like_num and t.tag_ != "CD"]  # "one of its commanders": a count
    for prep in (c for t in heads for c in t.children if c.dep_ == "prep" and c.lower_ == "of"):
        for obj in (o for o in prep.children if o.dep_ == "pobj"):
            named = any(w.i in s.resolver.at for w in obj.subtree)  # "members of the ELN"
            if obj.tag_ in ("NN", "NNS") and not obj.like_num and not named and \
                    not any(c.like_num for c in obj.children):
                counted = s.resolver.theme(obj)
                return counted is None or counted.cls not in _MILITARY_CLASSES
    return False


def _told_in_a_work(s: Sentence, tok: Token) -> bool:
    """ "The film follows four soldiers whose tank is hit by a missile": the trigger is in
    what a work (film, novel, game) tells, its subject and telling verb above the trigger."""
    node = tok
    for _ in range(8):
        if node.tag_.startswith("VB") and s.lex.lemma(node.lower_) in s.lex.telling and any(
                c.dep_ == "nsubj" and c.lower_ in s.lex.works for c in node.children):
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def figurative(s: Sentence, tok: Token) -> bool:
    low = s.text.lower()
    word = tok.lower_
    return any(word in phrase.split() and phrase in low
               for phrase in s.lex.phrases.get("figurative", ()))
