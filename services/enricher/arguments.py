"""What the words in an event's slots refer to: parties (countries, state organs, armed groups,
people), themes (what was sent or hit, with its count) and places.

A ``Resolver`` works on one parsed sentence. It maps the article's gazetteer mentions onto the
sentence's tokens, resolves pronouns through the mentions before the sentence, names armed
actors that have no name ("militants", "the army") as generic parties, and looks up proper
nouns the automaton does not know (villages, regions) in the place index.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from services.enricher import amounts
from services.enricher.gazetteer import Entry, Mention
from services.enricher.lexicon import Lexicon
from services.enricher.mentions import MentionIndex
from services.enricher.places import PLACE_NOUNS, PlaceIndex
from services.enricher.syntax import conjuncts, preps
from shared.records import Location, Quantity

ORG_SUBTYPES = frozenset({"armed_group", "mission", "alliance", "body", "think_tank"})
TITLES = frozenset({"crown", "minister", "president", "premier", "chancellor", "general",
                    "commander", "spokesman", "spokeswoman", "spokesperson", "envoy",
                    "secretary", "chief",
                    "ambassador", "leader", "king", "prince", "emir", "sheikh", "colonel",
                    "admiral", "marshal", "governor", "mayor", "lieutenant", "major",
                    "captain", "sergeant", "deputy", "head", "director", "adviser", "advisor",
                    "counterpart", "official", "prime", "foreign", "defence", "defense",
                    "interior", "army", "military", "gen.", "lt.", "col.", "maj.", "adm.",
                    "mr", "mr.", "mrs", "ms", "dr", "president-elect", "vice", "chairman",
                    "speaker", "senator"})
_WEAPON_CLASSES = frozenset({"munition", "force"})


@dataclass(frozen=True, slots=True)
class Party:
    """Someone who can fill a role: a country (or one of its organs), a group, a person."""

    name: str
    kind: str  # country, organisation, person, place, generic
    code: str | None = None  # the country it stands for (a place's country for places)
    token: int = -1
    generic: str | None = None  # "armed" or "state" for common-noun actors
    state: bool = False  # acts as its country
    entry: Entry | None = None
    pronoun: bool = False

    @property
    def key(self) -> str:
        return self.code if self.state and self.code else self.name


@dataclass(slots=True)
class Theme:
    cls: str  # troop, force, munition, person, casualty, installation, pact, support, number
    unit: str
    token: Token
    amount: amounts.Amount | None = None
    calibre: str | None = None
    owners: list[Party] = field(default_factory=list)
    partitive: bool = False  # "1,000 of these people": a part of something counted before
    text: str = ""
    total: amounts.Amount | None = None  # "87 of 103 drones": the 103

    def launched(self) -> Quantity | None:
        """The count of an attack whose part was intercepted: the whole ("of 103")."""
        if self.total is None:
            return self.quantity()
        a = self.total
        return Quantity(a.min, a.max, self.unit, a.approximate, self.text, self.calibre)

    def quantity(self, unit: str | None = None) -> Quantity | None:
        if self.amount is None:
            return None
        a = self.amount
        return Quantity(a.min, a.max, unit or self.unit, a.approximate, self.text, self.calibre)


@dataclass
class Discourse:
    """What one article has established so far, shared by its sentences' resolvers."""

    people: dict[str, str] = field(default_factory=dict)  # surname -> full name
    context: set[str] = field(default_factory=set)  # countries the article is about
    focus: str | None = None  # the country of the dateline ("KYIV, Aug 21 —")
    sides: list[Party] = field(default_factory=list)  # the countries of the latest talks
    people_codes: dict[str, str] = field(default_factory=dict)  # person -> country
    agent: Party | None = None  # the country that acted in the latest event
    group: Party | None = None  # the armed group in the latest attack or killing
    attack_at: int | None = None  # the latest sentence that told an attack (its index)


class Resolver:
    def __init__(self, doc: Doc, base: int, mentions: list[Mention], index: MentionIndex,
                 lex: Lexicon, places: PlaceIndex, country_name: Callable[[str], str],
                 discourse: Discourse, ner: Callable[[Doc], Doc] | None = None) -> None:
        self.doc, self.base, self.lex, self.places = doc, base, lex, places
        self.index, self.country_name = index, country_name
        self.discourse, self.context = discourse, discourse.context
        self._ner = ner
        self._ents: dict[int, tuple[str, str]] | None = None  # token -> (label, text)
        self.at: dict[int, Mention] = {}
        starts = [t.idx for t in doc]  # sorted: the tokens a mention covers are one run
        for m in mentions:
            for i in range(bisect_left(starts, m.start - base), bisect_left(starts, m.end - base)):
                self.at[i] = m
        for i, m in list(self.at.items()):  # "President Hassan Sheikh Mohamud": not the city
            if m.entry.kind == "place" and m.entry.subtype == "city" and 0 < i < len(doc) - 1 \
                    and doc[i - 1].lower_ in TITLES and doc[i + 1].tag_ == "NNP" \
                    and i + 1 not in self.at:
                del self.at[i]

    def entity(self, t: Token) -> tuple[str, str] | None:
        """The named-entity label and text covering ``t``, running the NER component on
        this sentence the first time one is asked for (few sentences need it)."""
        if self._ents is None:
            self._ents = {}
            if self._ner is not None:
                doc = self._ner(self.doc)
                for ent in doc.ents:
                    for tok in ent:
                        self._ents[tok.i] = (ent.label_, ent.text)
        return self._ents.get(t.i)

    # -- parties --------------------------------------------------------------------------
    def parties(self, t: Token, *, owners: bool = True) -> list[Party]:
        out: list[Party] = []
        for c in conjuncts(t):
            found = self._party(c)
            if not found and owners:
                found = self.owners(c)
            out += [p for p in found if p not in out]
        return out

    def _party(self, t: Token) -> list[Party]:
        m = self.at.get(t.i)
        if m is not None and (t.dep_ != "compound" or t.head.i not in self.at):
            party = self.from_entry(m.entry, t.i)
            return [party] if party else []
        if t.tag_ in ("PRP", "PRP$") or t.lower_ in ("we", "our", "us"):
            return self._pronoun(t)
        anaphor = self._definite(t)
        if anaphor is not None:
            return [anaphor]
        if _pair(t):  # "the two sides", "both countries": the parties of the latest talks
            return list(self.discourse.sides) or [
                p for e in self.index.resolve_pair(self.base + t.idx)
                for p in [self.from_entry(e, t.i, pronoun=True)] if p]
        generic = self.lex.generic.get(self._compound_text(t)) or self.lex.generic.get(t.lower_)
        if generic:
            own = [p for p in self.owners(t) if p.state or p.kind == "organisation"]
            if own:
                return own
            return [Party(t.lower_, "generic", None, t.i, generic=generic)]
        if t.tag_ in ("NNP", "NNPS") and self._theme_class(t) is None:
            return self._proper(t)  # (an "IED" or "HIMARS" is a weapon, not a party)
        for a in t.children:  # "his Omani counterpart, Badr Albusaidi"
            if a.dep_ == "appos":
                return self._party(a)
        return []

    def from_entry(self, e: Entry, token: int = -1, pronoun: bool = False) -> Party | None:
        if e.kind == "media":
            return None
        if e.kind == "country":
            return Party(self.country_name(e.country or ""), "country", e.country, token,
                         state=True, entry=e, pronoun=pronoun)
        if e.kind == "person":
            if e.country:
                self.discourse.people_codes[e.name] = e.country
            return Party(e.name, "person", e.country, token, entry=e, pronoun=pronoun)
        if e.kind == "place":
            state = e.subtype == "capital"  # "Moscow says", "Kyiv sent"
            return Party(e.name, "place", e.country, token, state=state, entry=e)
        if e.subtype in ORG_SUBTYPES or not e.country:
            return Party(e.name, "organisation", None, token, generic="armed"
                         if e.subtype == "armed_group" else None, entry=e, pronoun=pronoun)
        return Party(e.name, "organisation", e.country, token, state=True, entry=e,
                     pronoun=pronoun)

    def _pronoun(self, t: Token) -> list[Party]:
        word = {"we": "it", "our": "its", "us": "it"}.get(t.lower_, t.lower_)
        if word not in ("he", "his", "him", "she", "her", "it", "its", "they", "their", "them"):
            return []
        speaker = self._speaker(t, word)
        if speaker:
            return speaker
        if t.lower_ in ("we", "our", "us") and self.discourse.agent is not None:
            return [self.discourse.agent]  # a quote's "we": the side the story is about
        entry = self.index.resolve(word, self.base + t.idx)
        party = self.from_entry(entry, t.i, pronoun=True) if entry else None
        return [party] if party else []

    def _definite(self, t: Token) -> Party | None:
        """"the country", "the group", "the ministry": the latest mention of that kind."""
        want = _ANAPHORS.get(t.lower_)
        if want is None or not any(c.lower_ in ("the", "this", "that") and c.dep_ == "det"
                                   for c in t.children):
            return None
        if any(c.dep_ in ("amod", "compound", "poss") for c in t.children):
            return None  # "the Nigerian army": its modifier says whose
        pos, focus = self.base + t.idx, self.discourse.focus
        if want is _forces and focus:  # "KINMEN, Taiwan — ... The army took delivery": the
            entry = self.index.latest(pos, want, _NEAR)  # dateline's, unless one is near
            if entry is None:
                return Party(self.country_name(focus), "country", focus, t.i, state=True,
                             pronoun=True)
        entry = self.index.latest(pos, want)
        return self.from_entry(entry, t.i, pronoun=True) if entry else None

    def _speaker(self, t: Token, word: str) -> list[Party]:
        """"Kyiv said it shot down ...": a pronoun in a reported clause is its speaker."""
        clause = t.head
        for head, link in _ancestors(clause):
            if link in ("ccomp", "parataxis") and self.lex.lemma(head.lower_) in \
                    self.lex.reporting:
                for s in head.children:
                    if s.dep_ in ("nsubj", "nsubjpass") and s.i != t.i and s.tag_ != "PRP":
                        found = [p for p in self.parties(s) if p.kind != "generic"]
                        person = word in ("he", "his", "him", "she", "her")
                        return [p for p in found if (p.kind == "person") == person]
                return []
        return []

    def owners(self, t: Token) -> list[Party]:
        """Who a noun belongs to: "Russia's troops", "North Korean soldiers", "troops from
        Chad", "forces of the RSF"."""
        named = self.at.get(t.i)
        if named is not None and named.entry.kind == "organisation" and any(
                self.at.get(c.i) is named for c in t.lefts):  # "ADF rebels": one name
            party = self.from_entry(named.entry, t.i)
            return [party] if party else []
        out: list[Party] = []
        mods = [c for c in t.children if c.dep_ in ("poss", "amod", "compound", "nmod")
                and c.i < t.i]
        for c in list(mods):  # "a Kenya Police Reserve vehicle": Kenya modifies Police
            if c.dep_ == "compound" and c.i not in self.at:
                mods += [g for g in c.children if g.dep_ in ("compound", "amod", "poss")]
            if c.lower_ == "led":  # "US-led coalition forces", "Saudi-led strikes"
                mods += [g for g in c.children if g.dep_ in ("npadvmod", "compound", "amod")]
        for c in mods:
            if c.i in self.at or c.tag_ == "PRP$" or self._definite(c) is not None:
                out += [p for p in self._party(c) if p.kind != "generic" and p not in out]
        for word, obj in preps(t):
            if word in ("from", "of", "belonging to", "loyal to"):
                out += [p for p in self.known(obj) if p.kind in ("country", "organisation")]
        container = t.head.head if t.dep_ == "pobj" and t.head.lower_ == "of" else None
        if not out and container is not None and container.lower_ in _CONTAINERS:
            out = self.owners(container)  # "its initial batch of about 11,000 soldiers"
        return out

    def known(self, t: Token) -> list[Party]:
        """Parties the article itself names at ``t`` (mentions, pronouns, "the country"),
        without guessing at unknown proper nouns."""
        m = self.at.get(t.i)
        if m is not None:
            party = self.from_entry(m.entry, t.i)
            return [party] if party else []
        if t.tag_ in ("PRP", "PRP$"):
            return self._pronoun(t)
        anaphor = self._definite(t)
        return [anaphor] if anaphor else []

    def _compound_text(self, t: Token) -> str:
        mods = [c.lower_ for c in t.lefts if c.dep_ in ("compound", "amod") and c.i == t.i - 1]
        return " ".join([*mods, t.lower_])

    def _proper(self, t: Token) -> list[Party]:
        """An unknown proper noun: a person ("Defence Minister Rajnath Singh", or one the
        NER component calls a person), an organisation the NER names, or a place in the
        place index."""
        words = self.chunk(t)
        names = list(words)
        first = next((k for k, w in enumerate(names) if w.lower_ in TITLES), None)
        if first is not None and len(names) - first > 2:
            del names[:first]  # "Parliament Speaker Nabih Berri"; not "Hassan Sheikh Mohamud"
        while names and names[0].lower_ in TITLES:
            names.pop(0)  # "President Hassan Sheikh Mohamud": the title leads, "Sheikh" stays
        if not names:
            return []
        text = t.doc[names[0].i:names[-1].i + 1].text
        ent = self.entity(t)
        titled = [w for w in t.doc[max(0, words[0].i - 3):words[0].i + 1]
                  if w.lower_ in TITLES] + [c for c in t.children if c.dep_ == "appos"
                                            and c.lower_ in TITLES]
        locative = t.dep_ == "pobj" and t.head.lower_ in _LOCATIVE
        known = " " not in text and text in self.discourse.people  # "Burhan", named before
        if titled or known or (ent is not None and ent[0] == "PERSON" and not locative):
            return [self._person(t, words, titled, text)]
        place = self.places.find(text, self.context)
        if place is not None and (ent is None or ent[0] not in ("PERSON", "ORG") or locative):
            return [Party(place.name, "place", place.country, t.i)]
        if ent is not None and ent[0] == "PERSON":
            return [self._person(t, words, titled, text)]
        if ent is not None and ent[0] == "ORG":
            return [Party(ent[1].removeprefix("the ").strip(), "organisation", None, t.i)]
        return []

    def _person(self, t: Token, words: list[Token], titled: list[Token], text: str) -> Party:
        near = list(t.doc[max(0, words[0].i - 4):words[0].i + 1])
        near += [g for a in t.children if a.dep_ == "appos" for g in a.subtree]
        country = next((p.code for w in near if w.i in self.at for p in self.known(w)
                        if p.state and p.code), None)
        people = self.discourse.people
        if " " not in text and text in people:
            text = people[text]  # "Pashinyan" after "Nikol Pashinyan"
        elif " " in text:
            last = text.split()[-1]
            people.setdefault(last, text)
            for article in ("al-", "Al-", "el-", "El-"):  # "Burhan" after "Abdel Fattah al-Burhan"
                if last.startswith(article) and len(last) > len(article) + 2:
                    people.setdefault(last[len(article):], text)
        if country:
            self.discourse.people_codes[text] = country
        return Party(text, "person", country, t.i)

    def chunk(self, t: Token) -> list[Token]:
        """The proper-noun words of ``t``'s name ("Lower Shabelle", "Mohammed bin Salman")."""
        words = [t]
        i = t.i - 1
        while i >= 0 and (t.doc[i].tag_ in ("NNP", "NNPS") or (
                t.doc[i].lower_ in _NAME_PARTICLES and i > 0 and
                t.doc[i - 1].tag_ == "NNP") or _joining_hyphen(t.doc, i)) \
                and t.doc[i].i not in self.at:
            words.insert(0, t.doc[i])
            i -= 1
        j = t.i + 1  # "Ahn Gyu-back", "Lee Jae-myung": a given name's second syllable
        if j + 1 < len(t.doc) and _joining_hyphen(t.doc, j) and t.doc[j + 1].is_alpha and \
                t.doc[j + 1].lower_ == t.doc[j + 1].text and \
                not t.doc[j + 1].tag_.startswith(("VB", "JJ")):  # not "Putin-backed"
            words += [t.doc[j], t.doc[j + 1]]
        return words

    def sentence_places(self) -> list[Location]:
        """Places the sentence puts something in ("in Kharkiv", "near Bakhmut")."""
        out: list[Location] = []
        for t in self.doc:
            if t.dep_ == "pobj" and t.head.lower_ in ("in", "near", "at", "outside", "around",
                                                      "across", "over", "on"):
                loc = self.place(t)
                if loc is not None and loc not in out:
                    out.append(loc)
        return out

    # -- places ---------------------------------------------------------------------------
    def place(self, t: Token) -> Location | None:
        if t.lower_ in PLACE_NOUNS:
            for word, obj in preps(t):
                if word == "of":  # "the village of Kpakpara", "the port of Odesa"
                    return self.place(obj)
            named = [c for c in t.lefts if c.dep_ == "compound" and c.tag_ == "NNP"]
            if not named:
                for word, obj in preps(t):
                    if word in ("in", "near"):  # "a base in Lower Shabelle"
                        return self.place(obj)
                return None
        m = self.at.get(t.i)
        if m is not None and m.entry.kind in ("place", "country"):
            e = m.entry
            return Location(e.name if e.kind == "place" else self.country_name(e.country or ""),
                            e.country, e.lat, e.lon)
        if (m is None and _proper_noun(t)) or (t.lower_ in PLACE_NOUNS and t.lefts):
            words = self.chunk(t)
            if words and all(w.i not in self.at for w in words):
                text = " ".join(w.text for w in words)
                local = {self.at[c.i].entry.country for c in t.children  # "Burkina Faso's Soum"
                         if c.dep_ in ("poss", "compound", "amod") and c.i in self.at}
                found = self.places.find(text, {c for c in local if c} or self.context)
                if found is not None:
                    return Location(text, found.country, found.lat, found.lon)
        for c in t.children:  # "Balochistan's Kech district": at least the region is known
            if c.dep_ in ("poss", "compound") and c.i in self.at and c.i != t.i:
                e = self.at[c.i].entry
                if e.kind == "place" and e.country:
                    return Location(e.name, e.country, e.lat, e.lon)
        return None

    # -- themes ---------------------------------------------------------------------------
    def theme(self, t: Token) -> Theme | None:
        """What ``t`` names, with its count: "25,000 to 30,000 troops", "dozens of drones",
        "29 of 35 drones" (29, of a total of 35), "3,785 Palestinians", "five"."""
        if t.tag_ == "CD" or t.lower_ in _VAGUE_HEADS:
            of = [o for w, o in preps(t) if w == "of"]
            if of:
                inner = self.theme(of[0])
                if inner is not None:
                    own = self._amount(t, t)
                    if own is not None:
                        inner.partitive = any(d.lower_ in ("these", "those", "them", "the")
                                              for d in of[0].lefts) or of[0].tag_ == "PRP"
                        inner.total = inner.amount  # "87 of 103 drones": 103 were launched
                        inner.amount, inner.text = own, _text(t)
                    return inner
            amount = self._amount(t, t)
            if amount is not None and t.tag_ == "CD":
                return Theme("number", "people", t, amount, None, [], False, _text(t))
        if t.lower_ in _CONTAINERS:  # "a further batch of CAESAR howitzers"
            of = [o for w, o in preps(t) if w == "of"]
            inner = self.theme(of[0]) if of else None
            if inner is not None:
                inner.amount = inner.amount or self._amount_of(t)
                inner.owners = inner.owners or self.owners(t)  # "its batch of 11,000 soldiers"
                return inner
        cls_unit = self._theme_class(t)
        if cls_unit is None and t.tag_.startswith("NN"):  # "troop contributions"
            mods = [self._theme_class(c) for c in t.lefts if c.dep_ == "compound"]
            cls_unit = next((m for m in mods if m and m[0] in ("troop", "munition")), None)
        if cls_unit is None:
            m = self.at.get(t.i)
            if m is not None and m.entry.subtype == "demonym" and t.tag_ in ("NNPS", "NNP") \
                    and t.lower_.endswith("s"):
                cls_unit = ("person", "people")  # "3,785 Palestinians"
            else:
                return None
        cls, unit = cls_unit
        if cls == "troop" and _figurative_force(t, self.lex):
            return None  # "an army of pickets", "troops of fans"
        owners = self.owners(t)
        m = self.at.get(t.i)
        if not owners and m is not None and m.entry.kind == "country":
            p = self.from_entry(m.entry, t.i)
            owners = [p] if p else []
        amount = self._amount_of(t)
        theme = Theme(cls, unit, t, amount, self._calibre(t), owners, False,
                      self._amount_text(t))
        self._part_of(t, theme)
        return theme

    def _part_of(self, t: Token, theme: Theme) -> None:
        """"downs three of seven drones", parsed as quantifiers of "seven": three of a total
        of seven, as when "of" heads the noun ("three of the seven drones")."""
        for num in (c for c in t.children if c.dep_ == "nummod" and c.like_num):
            quant = [c for c in num.children if c.dep_ == "quantmod"]
            part = [c for c in quant if c.like_num and c.i < num.i]
            if part and any(c.lower_ == "of" for c in quant):
                whole, piece = amounts.parse(num.text), amounts.parse(part[0].text)
                if whole is not None and piece is not None:
                    theme.total, theme.amount = whole, piece

    def _theme_class(self, t: Token) -> tuple[str, str] | None:
        before = [w.lower_ for w in t.doc[max(0, t.i - 3):t.i]]
        for k in range(len(before), -1, -1):  # the longest listed phrase ending at t
            key = " ".join([*before[len(before) - k:], t.lower_])
            if key in self.lex.themes:
                return self.lex.themes[key]
        return None

    def _amount_of(self, t: Token) -> amounts.Amount | None:
        nums: list[Token] = []
        mods = [g for c in _modifiers(t) for g in c.children]
        for c in [*t.children, *mods]:  # "12 million artillery rounds": on "artillery"
            if c.dep_ not in ("nummod", "quantmod") or _designation(c):
                continue
            if _calibre_number(c):  # "some 12 million 152mm shells": the count hangs on 152
                nums += [g for g in c.children if g.like_num or g.dep_ == "quantmod"]
            else:
                nums.append(c)
        if not nums:
            nums = [c for c in t.children if c.dep_ in ("amod", "det") and c.lower_ in
                    ("dozens", "hundreds", "thousands", "scores")]
        if not nums:
            return None
        nums.sort(key=lambda c: (not c.like_num, c.i))  # the number, not a hedge beside it
        return self._amount(nums[0], t)

    def _amount(self, num: Token, head: Token) -> amounts.Amount | None:
        toks = sorted((x for x in num.subtree if not _calibre_number(x) and x.lower_ != "mm"),
                      key=lambda x: x.i)
        if not toks:
            return None
        lead = [c for c in head.doc[head.left_edge.i:toks[0].i] if c.lower_ in _HEDGES]
        words = [x for x in [*lead, *toks] if x.i <= max(num.i, toks[-1].i)
                 and not _calibre_number(x)]
        return amounts.parse(" ".join(w.text for w in words))

    def _amount_text(self, t: Token) -> str:
        nums = [c for c in t.children if c.dep_ in ("nummod", "quantmod", "amod", "compound")]
        toks = sorted({x for c in nums for x in c.subtree} | {t}, key=lambda x: x.i)
        lead = [c for c in t.lefts if c.lower_ in _HEDGES and c.i < toks[0].i]
        return " ".join(x.text for x in [*lead, *toks])

    def _calibre(self, t: Token) -> str | None:
        left = " ".join(x.text_with_ws for x in t.lefts).replace(" mm", "mm")
        return amounts.calibre(left)


def _joining_hyphen(doc: Doc, i: int) -> bool:
    """A hyphen inside one name, spaces on neither side: "al-Sisi", "Abu-Bakr"."""
    return doc[i].tag_ == "HYPH" and i > 0 and not doc[i - 1].whitespace_ and \
        not doc[i].whitespace_ and doc[i - 1].tag_ in ("NNP", "NNPS")


def _country(e: Entry) -> bool:
    return e.kind == "country" and e.subtype != "demonym"


def _group(e: Entry) -> bool:
    return e.kind == "organisation" and e.subtype == "armed_group"


def _forces(e: Entry) -> bool:
    return e.kind == "organisation" and e.subtype in ("armed_forces", "composite") and any(
        w in e.name.lower() for w in ("army", "military", "forces", "defence", "defense"))


def _ministry(e: Entry) -> bool:
    return e.kind == "organisation" and "ministry" in e.name.lower()


_NEAR = 400  # characters: a mention this close is what "the army" refers to
_ANAPHORS: dict[str, Callable[[Entry], bool]] = {
    "country": _country, "nation": _country, "kingdom": _country, "republic": _country,
    "government": _country, "regime": _country, "state": _country,
    "group": _group, "militants": _group, "rebels": _group, "insurgents": _group,
    "movement": _group, "militia": _group, "jihadists": _group, "fighters": _group,
    "army": _forces, "military": _forces, "ministry": _ministry,
}
def _proper_noun(t: Token) -> bool:
    """A proper noun, or a capitalised noun inside a sentence the tagger took for a common
    one (headlines: "ambush on convoy near Djibo")."""
    return t.tag_ in ("NNP", "NNPS") or (t.tag_ in ("NN", "NNS") and t.i > t.sent.start
                                         and t.text[:1].isupper() and not t.is_upper)


_CONTAINERS = frozenset({"batch", "batches", "consignment", "consignments", "shipment",
                         "shipments", "tranche", "tranches", "package", "packages", "number",
                         "fleet", "squadron", "stock", "stocks", "stockpile", "arsenal", "set",
                         "pair", "supply", "supplies", "delivery", "deliveries", "contingent",
                         "detachment", "group", "wave", "salvo", "barrage", "swarm", "dozens",
                         "hundreds", "thousands", "total", "rest", "remainder", "handful",
                         "convoy", "convoys", "column", "unit", "units", "part", "half",
                         "most", "bulk", "some", "many", "all", "majority", "portion"})
_LOCATIVE = frozenset({"in", "near", "at", "outside", "around", "across", "over", "into",
                       "from", "to", "towards", "toward", "on"})
_NAME_PARTICLES = frozenset({"bin", "al", "al-", "ibn", "de", "van", "von", "der", "el", "abu",
                             "ben", "da", "di", "du", "la", "le"})


def _ancestors(t: Token) -> list[tuple[Token, str]]:
    """(head, link) pairs from ``t`` up to the root."""
    out: list[tuple[Token, str]] = []
    node = t
    while node.head.i != node.i and len(out) < 20:
        out.append((node.head, node.dep_))
        node = node.head
    return out


_HEDGES = frozenset({"some", "about", "around", "roughly", "nearly", "almost", "approximately",
                     "estimated", "over", "least", "more", "than", "up", "to", "another",
                     "an", "additional", "further", "at", "as", "many", "close"})
_VAGUE_HEADS = frozenset({"dozens", "hundreds", "thousands", "scores", "tens", "millions"})


def _pair(t: Token) -> bool:
    return t.lower_ in ("sides", "countries", "nations", "governments", "leaders", "allies",
                        "neighbours", "neighbors", "capitals") and any(
        c.lower_ in ("two", "both") for c in t.children)


def _figurative_force(t: Token, lex: Lexicon) -> bool:
    for word, obj in preps(t):
        if word == "of" and obj.lower_ not in lex.themes and obj.tag_ in ("NNS", "NNPS"):
            return True
    return False


def _calibre_number(t: Token) -> bool:
    """"152" in "152mm shells" or "155-mm": a calibre, not a count."""
    nxt = t.nbor(1) if t.i + 1 < len(t.doc) else None
    return t.like_num and nxt is not None and (nxt.lower_ in ("mm", "-mm", "mm.") or (
        nxt.text == "-" and t.i + 2 < len(t.doc) and t.doc[t.i + 2].lower_ == "mm"))


_MODEL = re.compile(r"^[A-Z][A-Za-z]*-?\d")  # "B-2", "Su-30SME", "F-16", "T90"


def _modifiers(t: Token) -> list[Token]:
    """The nouns before ``t`` that a count can hang on instead of it: compounds ("12 million
    artillery rounds"), and model names with what they modify ("six B-2 stealth bombers",
    "two Su-30SME fighter jets", where the parser gives the number to the model)."""
    out: list[Token] = []
    todo = [c for c in t.children if c.i < t.i]
    while todo:
        c = todo.pop()
        if c.dep_ == "compound" or (c.dep_ in ("amod", "nmod") and _MODEL.match(c.text)):
            out.append(c)
            todo += [g for g in c.children if g.i < c.i and g.dep_ in ("compound", "amod")]
    return out


def _designation(t: Token) -> bool:
    """"84" of "MK-84", "400" of "S-400": part of a model name, not a count."""
    if t.i < 2:
        return False
    dash, name = t.doc[t.i - 1], t.doc[t.i - 2]
    return dash.text in ("-", "–") and not dash.whitespace_ and not name.whitespace_ and \
        name.text[:1].isupper()


def _text(t: Token) -> str:
    return " ".join(x.text for x in sorted(t.subtree, key=lambda x: x.i))
