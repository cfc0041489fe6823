"""An article's gazetteer mentions, sorted, with range queries and light pronoun resolution.

"he/his" -> the most recent person, "it/its" -> the most recent country, seat of government
or organisation, "they/their" -> the most recent country or organisation, "the two sides"
-> the two most recent distinct countries. The parse-based resolver first tries the speaker
of the clause a pronoun sits in ("Kyiv said it shot down ...": it = Kyiv); this is the
fallback when the sentence itself does not say.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from services.enricher.gazetteer import Entry, Mention

_LOOKBACK = 1200  # characters a pronoun may reach back


class MentionIndex:
    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self._starts = [m.start for m in mentions]

    def between(self, start: int, end: int) -> list[Mention]:
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        return self.mentions[lo:hi]

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
            want = ("country", "organisation")
        i = bisect_left(self._starts, pos) - 1
        while i >= 0 and pos - self.mentions[i].start < _LOOKBACK:
            entry = self.mentions[i].entry
            kind = "capital" if entry.subtype in ("capital", "metonym") else entry.kind
            if kind in want and entry.kind != "media":
                return entry
            i -= 1
        return None

    def latest(self, pos: int, want: Callable[[Entry], bool], reach: int = _LOOKBACK * 3
               ) -> Entry | None:
        """The most recent entry before ``pos``, at most ``reach`` characters back, that
        ``want`` accepts."""
        i = bisect_left(self._starts, pos) - 1
        while i >= 0 and pos - self.mentions[i].start < reach:
            entry = self.mentions[i].entry
            if want(entry):
                return entry
            i -= 1
        return None
