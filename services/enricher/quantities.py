"""Quantities bound to unit nouns: "25,000 to 30,000 troops", "some 12 million 152mm artillery
shells", "at least 1,000 of these people", "dozens of drones".

Ranges become min/max; hedges ("about", "some", "roughly") set ``approximate``; "at least" /
"more than" keep min = max = the stated figure (approximate); "up to" gives min = 0. Vague
amounts map to conventional ranges ("hundreds" = 200-999). Patterns run on lower-cased text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.records import Quantity

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a hundred": 100, "one hundred": 100, "a thousand": 1000, "a dozen": 12,
}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
           "bn": 1e9}
_VAGUE = {
    "hundreds of thousands": (200_000, 999_999), "tens of thousands": (20_000, 99_999),
    "several thousand": (2_000, 9_999), "thousands": (2_000, 9_999),
    "several hundred": (200, 999), "hundreds": (200, 999), "dozens": (24, 99), "scores": (40, 99),
}
_APPROX = {"about", "around", "roughly", "some", "approximately", "nearly", "almost", "close to",
           "an estimated", "estimated", "as many as", "at least", "more than", "over"}
_UPPER = {"up to", "fewer than", "less than", "under", "at most"}
_WORD_RE = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_VALUE = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_WORD_RE})" \
         rf"(?:\s*(?:thousand|million|billion|bn|mn|k|m)\b)?"
_PREFIX = "|".join(sorted((re.escape(w) for w in _APPROX | _UPPER), key=len, reverse=True))
_VAGUE_RE = "|".join(sorted((re.escape(w) for w in _VAGUE), key=len, reverse=True))
_CALIBRE = re.compile(r"(\d{2,3})\s?-?mm\b")
_MULTIPLIER = re.compile(r"\b(more than |nearly |almost )?(double|triple|quadruple|twice|"
                         r"three times|four times)\b")


_REACH = 160  # characters a quantity phrase may start before its unit noun


@dataclass(slots=True)
class QuantityHit:
    quantity: Quantity
    unit_class: str  # troop, munition, person
    start: int
    end: int
    partitive: bool  # "1,000 of these people": part of something already counted
    unit_start: int


class QuantityReader:
    def __init__(self, units: dict[str, tuple[str, str]], unit_re: re.Pattern[str]) -> None:
        self._units = units
        unit_alt = unit_re.pattern[len(r"(?<![\w-])(?:"):-len(r")(?![\w])")]
        self._re = re.compile(
            rf"(?<![\w$£€.,])(?:(?P<prefix>{_PREFIX})\s+)?(?:another\s+|an additional\s+)?"
            rf"(?:between\s+(?P<a1>{_VALUE})\s+and\s+(?P<b1>{_VALUE})|(?:from\s+)?(?P<a>{_VALUE})"
            rf"(?:\s*(?:to|-|–)\s*(?P<b>{_VALUE}))?|(?P<vague>{_VAGUE_RE}))"
            rf"(?P<of>\s+of(?:\s+(?:those|these|the|its|their|them))?)?"
            rf"(?P<mods>(?:\s+(?!of\b|and\b|to\b|in\b|at\b|from\b|were\b|was\b)[\w\-.]+){{0,3}})"
            rf"\s+(?P<unit>{unit_alt})(?![\w])"
        )

    def read(self, lowered: str, first_unit: int = 0) -> list[QuantityHit]:
        """Quantities of ``lowered``; ``first_unit`` (offset of the first unit noun) lets the
        scan start just before it, since a match always ends at a unit noun and its
        prefix/number/modifier part is far shorter than _REACH."""
        hits = []
        for m in self._re.finditer(lowered, max(0, first_unit - _REACH)):
            hit = self._hit(m)
            if hit is not None:
                hits.append(hit)
        return hits

    def _hit(self, m: re.Match[str]) -> QuantityHit | None:
        lo, hi = _bounds(m)
        if lo is None or hi is None:
            return None
        prefix = m.group("prefix") or ""
        approx = prefix in _APPROX or m.group("vague") is not None
        if prefix in _UPPER:
            lo, approx = 0.0, True
        unit, cls = self._units[m.group("unit")]
        calibre = _CALIBRE.search(m.group("mods") or "")
        qty = Quantity(min=lo, max=hi, unit=unit, approximate=approx, text=m.group(0).strip(),
                       calibre=f"{calibre.group(1)}mm" if calibre else None)
        partitive = bool(m.group("of")) and any(
            w in m.group("of") for w in ("these", "those", "them"))
        return QuantityHit(qty, cls, m.start(), m.end(), partitive, m.start("unit"))


def _bounds(m: re.Match[str]) -> tuple[float | None, float | None]:
    if m.group("vague"):
        lo_i, hi_i = _VAGUE[m.group("vague")]
        return float(lo_i), float(hi_i)
    a = m.group("a1") or m.group("a")
    b = m.group("b1") or m.group("b")
    lo = parse_value(a)
    hi = parse_value(b) if b else lo
    if lo is not None and hi is not None and b and hi > lo * 100 and " " in b and " " not in a:
        bare = parse_value(b.split()[0])  # "25 to 30 million": the scale is shared
        if bare:
            lo = lo * hi / bare
    return lo, hi


_HELPERS = re.compile(rf"\b(?:another|the other|the remaining|a further|the rest,?)\s+"
                      rf"(?P<a>{_VALUE})\s+(?:would|will|were to|are to|are set to)\s+"
                      rf"(?:help|work|assist)\w*\s+(?:with|on|in)\s+(?P<task>[a-z]+)")


def breakdown(reader: QuantityReader, lowered: str) -> list[Quantity]:
    """Parts of an earlier total: "at least 1,000 of these people would be sappers, while
    another 5,000 would help with construction" -> [>=1,000 sappers, 5,000 construction
    workers]. Partitive hits keep the role noun as unit; "another N would help with X"
    gives unit "X_workers"."""
    parts = [h.quantity for h in reader.read(lowered) if h.partitive or
             lowered.startswith(("another", "an additional"), h.start)]
    for m in _HELPERS.finditer(lowered):
        value = parse_value(m.group("a"))
        if value is not None:
            parts.append(Quantity(min=value, max=value, unit=f"{m.group('task')}_workers",
                                  text=m.group(0)))
    return parts


def describe(parts: list[Quantity]) -> str:
    """"at least 1,000 sappers + 5,000 construction workers" (for a total's breakdown)."""
    out = []
    for q in parts:
        lead = "at least " if q.text.startswith("at least") else "about " if q.approximate \
            else ""
        out.append(f"{lead}{q.max:,.0f} {q.unit.replace('_', ' ')}")
    return " + ".join(out)


def parse_value(text: str) -> float | None:
    text = text.strip()
    scale = 1.0
    for word, factor in _SCALES.items():
        if text.endswith(word) and (len(text) == len(word) or not text[-len(word) - 1].isalpha()):
            scale, text = factor, text[: -len(word)].strip()
            break
    if text in _WORDS:
        return _WORDS[text] * scale
    try:
        return float(text.replace(",", "")) * scale
    except ValueError:
        return None


def multiplier(lowered: str) -> Quantity | None:
    """"more than triple" -> factor 3 (min 3, approximate); None when absent."""
    m = _MULTIPLIER.search(lowered)
    if not m:
        return None
    word = m.group(2)
    factor = {"double": 2, "twice": 2, "triple": 3, "three times": 3}.get(word, 4)
    return Quantity(min=float(factor), max=float(factor), unit="factor",
                    approximate=bool(m.group(1)), text=m.group(0))
