"""The lexicon (``data/lexicon.yaml``) compiled once: frames by lemma, word forms, themes, cues.

Two uses. Before parsing, one Aho-Corasick pass over the lower-cased article finds the
sentences worth parsing (``scan``): a trigger word of some frame plus a theme noun or a word
of military context. After parsing, the frame, theme and cue tables are looked up by lemma
(``lemma`` maps every generated or listed inflection back to its base form, so no
lemmatizer has to run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

DATA = Path(__file__).with_name("data")

# What a scan hit is: a frame's trigger word, a military theme noun (troops, drones, bases,
# armed actors), a word of military context, a dispute cue; and, among triggers, the
# unambiguous ones (STRONG: "airstrike", "deployed", "mobilised"), the counts of the dead
# (KILL: "killed", "casualties"), talks (CONTACT); and a people noun or a number word.
TRIGGER, THEME, MILITARY, DISPUTE = 1, 2, 4, 8
STRONG, KILL, CONTACT, PEOPLE, NUMBER, WEAK_THEME = 16, 32, 64, 128, 256, 512
PART = 1 << 31  # "of these", "another": a count that itemises an earlier total
REGISTER_BASE = 1024  # and up: one bit per register (sports, finance, ...)
_CONTACT_FRAMES = frozenset({"meet", "discuss", "support", "sign"})
_KILL_FRAMES = frozenset({"kill", "die", "casualty", "lose"})
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "dozen", "dozens", "hundred", "hundreds", "thousand",
                 "thousands", "score", "scores", "twenty", "thirty", "forty", "fifty")


@dataclass(frozen=True, slots=True)
class Frame:
    name: str
    events: dict[str, str]  # theme class (or "any") -> event type
    slots: dict[str, str]  # syntactic position -> semantic slot
    direction: str | None = None
    status: str | None = None
    needs_military: bool = False
    flags: frozenset[str] = frozenset()
    host_subject: frozenset[str] = frozenset()

    def event_for(self, theme_class: str | None) -> str | None:
        if "any" in self.events:
            return self.events["any"]
        return self.events.get(theme_class or "")


@dataclass(frozen=True, slots=True)
class Entry:
    """A frame word: ``rest`` are the words that must follow (particles, or a verb's object
    for "open fire"); ``before`` the words that must precede a noun head ("air strike")."""

    frame: Frame
    rest: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass
class Lexicon:
    verbs: dict[str, list[Entry]] = field(default_factory=dict)  # lemma -> entries
    nouns: dict[str, list[Entry]] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)  # word form -> lemma
    themes: dict[str, tuple[str, str]] = field(default_factory=dict)  # noun -> (class, unit)
    generic: dict[str, str] = field(default_factory=dict)  # noun -> "armed" | "state"
    modality: dict[str, str] = field(default_factory=dict)  # lemma -> class
    reporting: dict[str, str] = field(default_factory=dict)  # lemma -> class
    register: dict[str, set[str]] = field(default_factory=dict)  # class -> words
    phrases: dict[str, list[str]] = field(default_factory=dict)  # class -> multiword cues
    history: list[str] = field(default_factory=list)
    military: set[str] = field(default_factory=set)
    military_phrases: list[str] = field(default_factory=list)
    either_violence: set[str] = field(default_factory=set)  # "gunmen": crime or war
    either_sport: set[str] = field(default_factory=set)  # "defence", "siege": sport or war
    works: set[str] = field(default_factory=set)  # "the film follows…": told, not news
    telling: set[str] = field(default_factory=set)
    dispute_verbs: set[str] = field(default_factory=set)
    dispute_phrases: list[str] = field(default_factory=list)
    unverified_phrases: list[str] = field(default_factory=list)
    irregular: dict[str, list[str]] = field(default_factory=dict)
    strong: frozenset[str] = frozenset()
    ambiguous: frozenset[str] = frozenset()
    register_bits: dict[str, int] = field(default_factory=dict)
    _automaton: Any = None

    def lemma(self, word: str) -> str:
        return self.forms.get(word, word)

    def know(self, lemmas: Iterable[str], irregular: dict[str, list[str]] | None = None
             ) -> None:
        """Make ``lemma`` map the inflections of these verbs too (code-side word lists)."""
        for lemma in lemmas:
            _add_forms(self.forms, lemma, verb_forms(lemma, irregular or self.irregular))

    def scan(self, lowered: str) -> list[tuple[int, int]]:
        """(offset, kind bits) of every scan hit in the lower-cased text, in order."""
        out: list[tuple[int, int]] = []
        n = len(lowered)
        padded = " " + lowered.translate(_BLANK)
        for end, (length, kind) in self._automaton.iter(padded):
            if end < n and lowered[end].isalnum():
                continue  # the hit is the start of a longer word
            out.append((end - length, kind))
        return out

    def register_of(self, words: Iterable[str], text: str) -> set[str]:
        """The registers (sports, finance, ...) whose cue words occur among ``words`` or
        whose multiword cues occur in ``text`` (lower case)."""
        ws = set(words)
        found = {name for name, cue in self.register.items() if ws & cue}
        found |= {name for name, cues in self.phrases.items() if any(c in text for c in cues)}
        return found


    def doc_register(self, lowered: str, hits: list[tuple[int, int]], min_words: int = 4
                     ) -> set[str]:
        """The registers an article is written in: at least ``min_words`` distinct cue words
        of one register (a match report, a market story). Read off the scan's hits, whose
        kind carries a bit per register."""
        seen: dict[str, set[str]] = {}
        for pos, kind in hits:
            if kind >= REGISTER_BASE:
                word = lowered[pos:pos + 24].split(None, 1)[0].strip(".,;:!?\"'()")
                for name, bit in self.register_bits.items():
                    if kind & bit:
                        seen.setdefault(name, set()).add(word)
        return {name for name, ws in seen.items()
                if len(ws) >= (3 if name in ("exercise", "crime") else min_words)}


def load(path: Path = DATA / "lexicon.yaml") -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lex = Lexicon()
    irregular = {k: list(v) for k, v in data["irregular"].items()}
    lex.irregular = irregular
    for lemma, forms in irregular.items():
        for form in forms:
            lex.forms.setdefault(form, lemma)
    for name, spec in data["frames"].items():
        frame = _frame(name, spec)
        for word in spec.get("verbs", ()):
            head, *rest = str(word).split()
            lex.verbs.setdefault(head, []).append(Entry(frame, tuple(rest)))
            _add_forms(lex.forms, head, verb_forms(head, irregular))
        for word in spec.get("nouns", ()):
            *before, head = str(word).split()
            lex.nouns.setdefault(head, []).append(Entry(frame, (), tuple(before)))
            _add_forms(lex.forms, head, noun_forms(head))
    for cls, nouns in data["themes"].items():
        for noun, unit in nouns.items():
            lex.themes.setdefault(str(noun), (str(cls), str(unit)))
    for cls, words in data["generic_actors"].items():
        for word in words:
            lex.generic.setdefault(str(word), str(cls))
    for cls, words in data["modality"].items():
        for word in words:
            lex.modality.setdefault(str(word), str(cls))
            _add_forms(lex.forms, str(word).split()[-1],
                       verb_forms(str(word).split()[-1], irregular))
    for cls, words in data["reporting"].items():
        for word in words:
            lex.reporting.setdefault(str(word), str(cls))
            _add_forms(lex.forms, str(word).split()[0], verb_forms(str(word).split()[0],
                                                                   irregular))
    for name, words in data["register"].items():
        lex.register[name] = {str(w) for w in words if " " not in str(w)}
        lex.phrases[name] = [str(w) for w in words if " " in str(w)]
    lex.history = [str(w) for w in data["history"]["words"]]
    lex.military = {str(w) for w in data["military_context"] if " " not in str(w)}
    lex.military_phrases = [str(w) for w in data["military_context"] if " " in str(w)]
    lex.either_violence = {str(w) for w in data.get("either_violence", [])}
    lex.either_sport = {str(w) for w in data.get("either_sport", [])}
    lex.works = {str(w) for w in data["told_in_a_work"]["works"]}
    lex.telling = {str(w) for w in data["told_in_a_work"]["verbs"]}
    for word in lex.telling:
        _add_forms(lex.forms, word, verb_forms(word, irregular))
    lex.dispute_verbs = {str(w) for w in data["dispute"]["verbs"]}
    lex.dispute_phrases = [str(w) for w in data["dispute"]["phrases"]]
    lex.unverified_phrases = [str(w) for w in data["dispute"].get("unverified", [])]
    for word in lex.dispute_verbs:
        _add_forms(lex.forms, word, verb_forms(word, irregular))
    lex.strong = frozenset(str(w) for w in data["strong_triggers"])
    lex.ambiguous = frozenset(str(w) for w in data["ambiguous_themes"])
    lex._automaton = _automaton(lex, irregular)
    return lex


def _trigger_kind(lex: Lexicon, lemma: str, entries: list[Entry]) -> int:
    frames = {e.frame.name for e in entries}
    kind = STRONG if lemma in lex.strong else 0
    if frames & _KILL_FRAMES:
        kind |= KILL
    if frames & _CONTACT_FRAMES:
        kind |= CONTACT
    return kind


def candidate(kind: int, named: int, digits: bool, military_doc: bool,
              civilian_doc: bool = False) -> bool:
    """Is a sentence worth parsing? ``kind`` is the OR of its scan hits, ``named`` the
    number of parties the gazetteer names in it. Generic words ("support", "leave", "deal",
    "talks", "hit") need more around them than unambiguous ones ("airstrike", "deployed");
    in an article written in another register (a match report, a market story) a sentence
    needs a military noun or word of its own."""
    if not kind & TRIGGER:
        return False
    military = kind & (THEME | MILITARY)
    weak = bool(kind & WEAK_THEME) and bool(military or named)
    if civilian_doc and not military:
        return False
    if kind & KILL and (digits or kind & NUMBER) and (kind & (THEME | PEOPLE | WEAK_THEME)
                                                     or named):
        return True  # "killed 12 people", "three soldiers wounded"
    if kind & STRONG and (military or named):
        return True
    if kind & CONTACT and named >= 2:
        return True  # talks between two named sides
    return bool(kind & THEME) or weak


def _frame(name: str, spec: dict[str, Any]) -> Frame:
    flags = {k for k, v in spec.items() if v is True and k != "needs_military"}
    return Frame(name=name, events={str(k): str(v) for k, v in spec["events"].items()},
                 slots={str(k): str(v) for k, v in spec.get("slots", {}).items()},
                 direction=spec.get("direction"), status=spec.get("status"),
                 needs_military=bool(spec.get("needs_military")), flags=frozenset(flags),
                 host_subject=frozenset(spec.get("host_subject", ())))


def _add_forms(forms: dict[str, str], lemma: str, words: Iterable[str]) -> None:
    for w in words:
        forms.setdefault(w, lemma)
    forms.setdefault(lemma, lemma)


_VOWELS = "aeiou"


def verb_forms(lemma: str, irregular: dict[str, list[str]] | None = None) -> set[str]:
    """Regular inflections (and the listed irregular ones) of a verb: "send" -> sends,
    sending, sended (harmless), sent; "ship" -> shipped; "supply" -> supplied."""
    out = {lemma, *(irregular or {}).get(lemma, [])}
    if lemma.endswith("ee"):
        out |= {lemma + "s", lemma + "d", lemma + "ing"}  # agree, agreed, agreeing
    elif lemma.endswith("e"):
        out |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2:-1] not in _VOWELS:
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        out |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        out |= {lemma + "s", lemma + "ed", lemma + "ing"}
        if _doubles(lemma):
            out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out


def _doubles(word: str) -> bool:
    """Short consonant-vowel-consonant words double their last letter: ship -> shipped."""
    return (len(word) >= 3 and word[-1] not in _VOWELS + "wxy" and word[-2] in _VOWELS
            and word[-3] not in _VOWELS and (len(word) <= 4 or word.endswith(("ol", "et"))))


def noun_forms(lemma: str) -> set[str]:
    if lemma.endswith("s"):
        return {lemma}
    if lemma.endswith("y") and lemma[-2:-1] not in _VOWELS:
        return {lemma, lemma[:-1] + "ies"}
    if lemma.endswith(("sh", "ch", "x", "z")):
        return {lemma, lemma + "es"}
    return {lemma, lemma + "s"}


def _automaton(lex: Lexicon, irregular: dict[str, list[str]]) -> Any:
    table: dict[str, int] = {}

    def add(word: str, kind: int) -> None:
        table[word] = table.get(word, 0) | kind

    for lemma, entries in lex.verbs.items():
        kind = TRIGGER | _trigger_kind(lex, lemma, entries)
        for form in verb_forms(lemma, irregular):
            add(form, kind)
    for lemma, entries in lex.nouns.items():
        kind = TRIGGER | _trigger_kind(lex, lemma, entries)
        for form in noun_forms(lemma):
            add(form, kind)
    ambiguous = lex.ambiguous
    for noun, (cls, _) in lex.themes.items():
        add(noun, PEOPLE if cls == "person" else WEAK_THEME if noun in ambiguous else THEME)
    for word, cls in lex.generic.items():
        if cls == "armed" or word in lex.themes:
            add(word, THEME)
    for word in _NUMBER_WORDS:
        add(word, NUMBER)
    for phrase in ("of these", "of those", "of them", "another", "the remaining", "the rest"):
        add(phrase, PART)
    for n, (name, cues) in enumerate(sorted(lex.register.items())):
        lex.register_bits[name] = REGISTER_BASE << n
        for word in cues:
            add(word, REGISTER_BASE << n)
    for word in (*lex.military, *lex.military_phrases):
        add(word, MILITARY)
    for word in lex.dispute_verbs:
        for form in verb_forms(word, irregular):
            add(form, DISPUTE)
    for phrase in [*lex.dispute_phrases, *lex.unverified_phrases]:
        add(phrase, DISPUTE)
    for phrase in ("claimed responsibility", "claims responsibility", "claim responsibility",
                   "claiming responsibility"):  # names the attacker of an attack told before
        add(phrase, TRIGGER | STRONG)
    automaton = ahocorasick.Automaton()
    for word, kind in table.items():
        automaton.add_word(" " + word, (len(word), kind))
    automaton.make_automaton()
    return automaton


# every non-alphanumeric character except blank and hyphen becomes a blank, so that a key
# " word" only matches at a word start; str.translate is one C pass over the text
_BLANK = {i: " " for i in range(0x3000) if not chr(i).isalnum() and chr(i) not in " -"}

_WORD = re.compile(r"[^\W\d_][\w'-]*")


def words(lowered: str) -> list[str]:
    return _WORD.findall(lowered)
