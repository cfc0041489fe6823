"""Who does what to whom inside one sentence: agents before the trigger, patients after it,
owners of unit nouns ("North Korean soldiers", "US and British warplanes"), locations.
Candidates used as attribution sources (speakers, cited bodies) never fill event roles.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.enricher.gazetteer import Entry
from services.enricher.mentions import Cand
from shared.records import Actor, Location

_CONJ = re.compile(r"^(?:,\s*|\s+and\s+(?:the\s+)?|\s*,\s*and\s+(?:the\s+)?)$")
_LOCATIVE = re.compile(r"\b(?:in|to|into|near|at|on|over|outside|around|across|from|of)\s+"
                       r"(?:the\s+)?(?:\w+\s+){0,3}$")
_STATE_ORGS = ("metonym", "intelligence", "armed_forces", "composite", "ministry", "armed_group",
               "state_media")


class RoleFinder:
    """Role helpers over one sentence's candidates (absolute offsets into ``text``)."""

    def __init__(self, text: str, cands: list[Cand], sources: list[Cand], clause_start: int,
                 country_name: Callable[[str], str]) -> None:
        self.text = text
        used = {(c.start, c.end) for c in sources}
        self.cands = [c for c in cands if c.is_actor and (c.start, c.end) not in used]
        self.clause_start = clause_start
        self.country_name = country_name

    def agents(self, trigger: int) -> list[Cand]:
        before = [c for c in self.cands if c.end <= trigger]
        in_clause = [c for c in before if c.start >= self.clause_start]
        pool = in_clause or before
        return self._conjoined(pool, len(pool) - 1) if pool else []

    def _conjoined(self, pool: list[Cand], i: int) -> list[Cand]:
        out = [pool[i]]
        while i > 0 and (pool[i - 1].start == pool[i].start  # "the two sides": one span
                         or _CONJ.match(self.text[pool[i - 1].end:pool[i].start])):
            i -= 1
            out.insert(0, pool[i])
        return out

    def patient(self, trigger_end: int, exclude: set[str | None], end: int) -> Cand | None:
        for c in self.cands:
            if trigger_end <= c.start < end and c.country not in exclude:
                return c
        return None

    def owners(self, unit_start: int, span: int = 40) -> list[Cand]:
        """Countries named just before a unit noun: "those North Korean troops"."""
        near = [c for c in self.cands if unit_start - span <= c.end <= unit_start
                and c.entry.kind == "country"]
        if not near:
            return []
        last = near[-1]
        between = self.text[last.end:unit_start]
        if len(between.split()) > 3 or any(ch in between for ch in ",.;"):
            return []
        return self._conjoined(near, len(near) - 1)

    def location(self, after: int, end: int) -> Cand | None:
        places = [c for c in self.cands if c.entry.kind == "place" and c.start < end]
        for c in sorted(places, key=lambda c: (c.start < after, c.start)):
            if c.entry.subtype != "capital" or _LOCATIVE.search(self.text[max(0, c.start - 40):
                                                                          c.start]):
                return c
        return None

    def actors(self, role: str, cands: list[Cand]) -> list[Actor]:
        out: list[Actor] = []
        for c in cands:
            out.extend(actors_for(role, c.entry, self.country_name))
        return _unique(out)


def actors_for(role: str, entry: Entry, country_name: Callable[[str], str]) -> list[Actor]:
    code = entry.country
    if entry.kind == "country" or (entry.kind == "place" and code):
        return [Actor(role, country_name(code), "country", code)] if code else []
    out = [Actor(role, entry.name, entry.kind if entry.kind == "person" else "organisation")]
    if code and (entry.kind == "person" or entry.subtype in _STATE_ORGS):
        out.append(Actor(role, country_name(code), "country", code))
    return out


def location_of(c: Cand) -> Location:
    e = c.entry
    return Location(name=e.name, country=e.country, lat=e.lat, lon=e.lon)


def _unique(actors: list[Actor]) -> list[Actor]:
    seen: set[tuple[str, str]] = set()
    out = []
    for a in actors:
        if (a.role, a.name) not in seen:
            seen.add((a.role, a.name))
            out.append(a)
    return out
