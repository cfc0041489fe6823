"""Amounts written in news copy, as (min, max, approximate): a pure parser of short phrases.

"25,000 to 30,000" -> 25000-30000; "about 11,000" -> 11000 (approximate); "more than 500"
-> 500 (approximate); "up to 300" -> 0-300 (approximate); "some 12 million" -> 12e6;
"600 000" (space or thin-space thousands) -> 600000; "three" -> 3; "twenty-five" -> 25;
"one hundred and fifty" -> 150; "25 to 30 million" -> 25e6-30e6 (shared scale);
"dozens" -> 24-99; "hundreds of thousands" -> 200000-999999; "a dozen" -> 12.
The phrase is what precedes a unit noun ("some 12 million" of "some 12 million shells");
parsing stops at the first word that is not part of an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Amount:
    min: float
    max: float
    approximate: bool = False
    estimated: bool = False  # "an estimated 1,500": the count is someone's estimate


_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
           "mln": 1_000_000}
_VAGUE = {  # conventional ranges for vague amounts (docs/annotation.md)
    ("hundreds", "of", "thousands"): (200_000, 999_999),
    ("tens", "of", "thousands"): (20_000, 99_999),
    ("several", "thousand"): (2_000, 9_999), ("thousands",): (2_000, 9_999),
    ("several", "hundred"): (200, 999), ("hundreds",): (200, 999),
    ("several", "dozen"): (24, 99), ("a", "few", "dozen"): (24, 99), ("dozens",): (24, 99),
    ("scores",): (40, 99),
}
_APPROX = (("about",), ("around",), ("roughly",), ("some",), ("approximately",), ("nearly",),
           ("almost",), ("close", "to"), ("an", "estimated"), ("estimated",), ("as", "many", "as"),
           ("at", "least"), ("more", "than"), ("over",), ("upwards", "of"), ("in", "excess", "of"),
           ("no", "fewer", "than"), ("no", "less", "than"), ("just", "over"), ("well", "over"),
           ("nearly",), ("approx",), ("circa",), ("c.",), ("~",), ("at", "minimum"),
           ("an", "additional"), ("another",), ("a", "further"), ("an", "extra"),
           ("a", "total", "of"), ("a", "reported"), ("reportedly",), ("the",), ("all",),
           ("only",), ("just",), ("exactly",), ("precisely",), ("a", "record"), ("further",),
           ("additional",), ("extra",), ("more",), ("new",), ("first",), ("last",),
           ("final",), ("remaining",))
_EXACT_PREFIX = {("an", "additional"), ("another",), ("a", "further"), ("an", "extra"),
                 ("further",), ("additional",), ("extra",), ("more",), ("new",), ("first",),
                 ("last",), ("final",), ("remaining",),
                 ("a", "total", "of"), ("the",), ("all",), ("only",), ("just",), ("exactly",),
                 ("precisely",), ("a", "record"), ("a", "reported"), ("reportedly",)}
_UPPER = (("up", "to"), ("fewer", "than"), ("less", "than"), ("under",), ("at", "most"),
          ("as", "few", "as"), ("no", "more", "than"), ("below",))
_RANGE = {"to", "-", "–", "—", "or", "and"}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:-[a-z]+)*\.?|[~\-–—]")
_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u00a0\u2009\u202f]\d{3})+)(?![\d\w])")


def parse(phrase: str) -> Amount | None:
    """The amount at the start of ``phrase`` (after a hedge), or None when there is none."""
    words = tokens(phrase)
    i, approx, upper = _prefix(words)
    estimated = "estimated" in words[:i]
    vague = _vague(words, i)
    if vague is not None:
        return Amount(float(vague[0]), float(vague[1]), True, estimated)
    if (i < len(words) and words[i] == "between") or (i < len(words) and words[i] == "from"):
        i += 1
    first = _number(words, i)
    if first is None:
        return None
    lo: float = first[0]
    i, lo_scaled = first[1], first[2]
    hi: float = lo
    if i + 1 < len(words) and words[i] in _RANGE:
        second = _number(words, i + 1)
        if second is not None and second[0] >= lo:
            hi, hi_scaled = second[0], second[2]
            if hi_scaled and not lo_scaled and hi > lo * 100:
                lo = lo * _scale_of(words, i + 1)  # "25 to 30 million": the scale is shared
    if upper:
        return Amount(0.0, hi, True, estimated)
    return Amount(lo, hi, approx, estimated)


def tokens(phrase: str) -> list[str]:
    text = _GROUPS.sub(lambda m: m.group(1) + re.sub(r"\D", "", m.group(2)), phrase.lower())
    return _TOKEN.findall(text)


def _prefix(words: list[str]) -> tuple[int, bool, bool]:
    i, approx, upper = 0, False, False
    progressed = True
    while progressed:
        progressed = False
        for pat in _UPPER:
            if tuple(words[i:i + len(pat)]) == pat:
                i, upper, progressed = i + len(pat), True, True
        for pat in _APPROX:
            if tuple(words[i:i + len(pat)]) == pat:
                approx = approx or pat not in _EXACT_PREFIX
                i, progressed = i + len(pat), True
    return i, approx, upper


def _vague(words: list[str], i: int) -> tuple[int, int] | None:
    for pat, bounds in _VAGUE.items():
        if tuple(words[i:i + len(pat)]) == pat:
            nxt = words[i + len(pat)] if i + len(pat) < len(words) else ""
            if not _is_number_word(nxt):
                return bounds
    return None


def _scale_of(words: list[str], i: int) -> float:
    j = i
    while j < len(words) and words[j] not in _SCALES:
        j += 1
    return float(_SCALES[words[j]]) if j < len(words) else 1.0


def _number(words: list[str], i: int) -> tuple[float, int, bool] | None:
    """(value, next index, scaled?) of the number starting at ``words[i]``."""
    if i >= len(words):
        return None
    w = words[i]
    if w[0].isdigit():
        value = _digits(w)
        if value is None:
            return None
        i += 1
    elif w in ("a", "an") and i + 1 < len(words) and words[i + 1] in ("dozen", "hundred",
                                                                       "thousand", "million"):
        value, i = (12.0 if words[i + 1] == "dozen" else float(_SCALES[words[i + 1]])), i + 2
        return value, i, words[i - 1] != "dozen"
    elif _is_number_word(w):
        value, i = _words_value(words, i)
    else:
        return None
    scaled = False
    while i < len(words) and words[i] in _SCALES and words[i] != "hundred":
        value *= _SCALES[words[i]]
        i, scaled = i + 1, True
    if i < len(words) and words[i] == "dozen":
        value, i = value * 12, i + 1
    return value, i, scaled


def _digits(word: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", word):
        return float(word.replace(",", ""))
    return None


def _is_number_word(word: str) -> bool:
    head = word.split("-")[0]
    return head in _UNITS or head in _TENS


def _words_value(words: list[str], i: int) -> tuple[float, int]:
    """"one hundred and fifty", "twenty-five", "two thousand three hundred"."""
    total, current = 0, 0
    while i < len(words):
        w = words[i]
        parts = w.split("-")
        if all(p in _UNITS or p in _TENS for p in parts):
            current += sum(_UNITS.get(p, 0) + _TENS.get(p, 0) for p in parts)
        elif w == "hundred" and current:
            current *= 100
        elif w in ("thousand",) and (current or total):
            total, current = (total + current) * 1000, 0
        elif w == "and" and i + 1 < len(words) and _is_number_word(words[i + 1]) and (
                current >= 100 or total):
            pass
        else:
            break
        i += 1
    return float(total + current), i


def calibre(text: str) -> str | None:
    """"152mm", "155-mm", "120 mm" -> "152mm"; None when no calibre is written."""
    m = _CALIBRE.search(text)
    return f"{m.group(1)}mm" if m else None


_CALIBRE = re.compile(r"(?<![\d.])(\d{2,3})\s?-?mm\b", re.IGNORECASE)
