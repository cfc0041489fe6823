"""Per-sentence actor candidates: gazetteer mentions plus cheaply resolved pronouns.

Light coreference: "he/his" -> the most recent person, "it/its" -> the most recent country,
seat of government or organisation, "they/their" -> the most recent country, "the two sides"
/ "both countries" -> the parties of a recent meeting, else the two most recent distinct
countries (two candidates, one span). Only sentences that carry a trigger are resolved, so
the cost stays proportional to the interesting text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from services.enricher.gazetteer import Entry, Mention

_PRONOUN = re.compile(r"\b(he|his|him|she|her|it|its|they|their|them)\b", re.IGNORECASE)
_PAIR = re.compile(r"\b(?:[Tt]he two|[Bb]oth) (?:sides|countries|nations|governments|allies)\b")
_LOOKBACK = 800  # characters a pronoun may reach back


@dataclass(slots=True)
class Cand:
    start: int
    end: int
    entry: Entry
    pronoun: bool = False

    @property
    def country(self) -> str | None:
        return self.entry.country

    @property
    def is_actor(self) -> bool:
        e = self.entry
        return e.kind != "media" and (e.country is not None or e.kind in ("organisation", "person"))


class MentionIndex:
    """All mentions of one article, sorted, with range queries and pronoun resolution."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self._starts = [m.start for m in mentions]

    def between(self, start: int, end: int) -> list[Mention]:
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        return self.mentions[lo:hi]

    def candidates(self, text: str, start: int, end: int,
                   sides: list[Entry] | None = None) -> list[Cand]:
        """Mentions and resolved pronouns of text[start:end]; ``sides`` are the parties of a
        recent meeting, which "the two sides" refers to before any other pair."""
        cands = [Cand(m.start, m.end, m.entry) for m in self.between(start, end)]
        taken = [(c.start, c.end) for c in cands]
        for m in _PRONOUN.finditer(text, start, end):
            if any(s <= m.start() < e for s, e in taken):
                continue
            entry = self.resolve(m.group(1).lower(), m.start())
            if entry is not None:
                cands.append(Cand(m.start(), m.end(), entry, pronoun=True))
        if "both " in text[start:end].lower() or "two " in text[start:end]:
            for m in _PAIR.finditer(text, start, end):
                cands += [Cand(m.start(), m.end(), e, pronoun=True)
                          for e in (sides or self.resolve_pair(m.start()))]
        cands.sort(key=lambda c: c.start)
        return cands

    def resolve_pair(self, pos: int) -> list[Entry]:
        """The two most recent distinct countries (or country-affiliated bodies) before
        ``pos``, earlier first; empty when there are fewer than two."""
        found: list[Entry] = []
        codes: set[str] = set()
        i = bisect_left(self._starts, pos) - 1
        while i >= 0 and pos - self.mentions[i].start < _LOOKBACK and len(found) < 2:
            entry = self.mentions[i].entry
            if entry.country and entry.kind != "media" and entry.country not in codes:
                codes.add(entry.country)
                found.append(entry)
            i -= 1
        return found[::-1] if len(found) == 2 else []

    def resolve(self, pronoun: str, pos: int) -> Entry | None:
        if pronoun in ("he", "his", "him", "she", "her"):
            want: tuple[str, ...] = ("person",)
        elif pronoun in ("it", "its"):
            want = ("country", "organisation", "capital")
        else:
            want = ("country",)
        i = bisect_left(self._starts, pos) - 1
        while i >= 0 and pos - self.mentions[i].start < _LOOKBACK:
            entry = self.mentions[i].entry
            kind = "capital" if entry.subtype in ("capital", "metonym") else entry.kind
            if kind in want and entry.kind != "media":
                return entry
            i -= 1
        return None
