"""Attribution chains: who said it, citing whom, outermost first.

"CNN reported on July 2, citing a Ukrainian intelligence assessment and an unnamed Western
official, that ..." -> ("CNN", "Ukrainian intelligence", "Western official").
Sources are gazetteer mentions (canonical names; seats of government give their country) or,
failing that, generic phrases such as "Western estimates" / "US officials".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from services.enricher.gazetteer import Entry
from services.enricher.mentions import Cand

_SPEECH = re.compile(
    r"\b(?P<fwd>according to|citing|cited|quoted|(?:is|was|are|were) estimated by|reported by)\b"
    r"|\b(?P<back>estimates (?:say|show|suggest)|said|says|say|told|tells|reported|reports|"
    r"announced|claimed|claims|wrote|writes|stated|confirmed|confirms|insisted|added|warned|believes|believed|estimated|"
    r"estimates|showed|denied|denies|rejected|dismissed)\b"
)
_GENERIC = re.compile(
    r"(?P<adj>(?:[A-Z][a-z]+|US|U\.S\.|UK|EU)(?:\s+(?:military|defence|defense))?)\s+"
    r"(?P<head>intelligence assessments?|intelligence officials?|intelligence|officials?|"
    r"estimates?|sources?|state media|media|assessments?)\b"
)
_HEADS = {"intelligence assessment": "intelligence", "intelligence assessments": "intelligence",
          "intelligence officials": "intelligence", "intelligence official": "intelligence",
          "assessments": "assessment", "sources": "source", "officials": "officials"}
_CLAUSE_END = re.compile(r",\s+(?:that|which|who)\b|\bthat\b|[;:]|,\s+(?!and\b|an?\b)")
_PASSIVE = re.compile(r"\b(?:been|be|being|is|was|are|were)\s+$")
_PRONOUNS = {"he", "his", "she", "her", "it", "its", "they", "their"}


@dataclass(slots=True)
class Attribution:
    chain: list[str] = field(default_factory=list)
    sources: list[Cand] = field(default_factory=list)  # candidates used as sources
    content_start: int = 0  # absolute offset after the last speech verb
    verbs: list[tuple[int, int]] = field(default_factory=list)


def source_name(entry: Entry, countries: Callable[[str], str]) -> str:
    if entry.kind == "place" and entry.subtype == "capital" and entry.country:
        return countries(entry.country)
    return entry.name


def attribute(text: str, start: int, end: int, cands: list[Cand],
              countries: Callable[[str], str]) -> Attribution:
    """Attribution of the sentence text[start:end] given its actor candidates."""
    att = Attribution(content_start=start)
    prev_end = start
    for m in _SPEECH.finditer(text, start, end):
        att.verbs.append((m.start(), m.end()))
        if m.group("fwd") and m.group("fwd").endswith(" by"):
            found = _forward(text, m.end(), end, cands)[:1]
        elif m.group("fwd"):
            found = _forward(text, m.end(), end, cands)
        elif _PASSIVE.search(text, max(start, m.start() - 12), m.start()):
            found = []
        elif m.group("back").startswith("estimates "):
            adj = re.search(r"([A-Z][\w.]*)\s+$", text[max(start, m.start() - 30):m.start()])
            found = [f"{adj.group(1)} estimates"] if adj else []
        else:
            found = _backward(text, prev_end, m.start(), cands)
        for item in found:
            name = source_name(item.entry, countries) if isinstance(item, Cand) else item
            if isinstance(item, Cand):
                att.sources.append(item)
            if name not in att.chain:
                att.chain.append(name)
        prev_end = m.end()
        att.content_start = m.end()
    return att


def _forward(text: str, pos: int, end: int, cands: list[Cand]) -> list[Cand | str]:
    stop = _CLAUSE_END.search(text, pos + 1, end)
    limit = stop.start() if stop and stop.start() > pos + 2 else min(end, pos + 120)
    limit = _extend_list(text, limit, end)
    out: list[Cand | str] = [c for c in cands if pos <= c.start < limit and not c.pronoun]
    covered = [(c.start, c.end) for c in out if isinstance(c, Cand)]
    for g in _GENERIC.finditer(text, pos, limit):
        if not any(s <= g.start("head") < e for s, e in covered):
            out.append(_generic_name(g))
    out.sort(key=lambda x: _pos(x, text, pos))
    return out


def _extend_list(text: str, limit: int, end: int) -> int:
    """Keep "X, Y and Z" together: extend past ", and"/" and an" continuations."""
    while limit < end and re.match(r",?\s+and\s+(?:an?\s+|the\s+)?", text[limit:limit + 12]):
        nxt = _CLAUSE_END.search(text, limit + 5, end)
        limit = nxt.start() if nxt else end
    return limit


def _backward(text: str, lo: int, verb: int, cands: list[Cand]) -> list[Cand | str]:
    before = [c for c in cands if lo <= c.start < verb]
    seg_start = text.rfind(",", lo, verb)
    near = [c for c in before if c.start > seg_start]
    if near:
        return [near[-1]]
    if before and not text[seg_start + 1:verb].strip():
        # apposition: "Sergei Shoigu, the secretary of Russia's security council, said"
        people = [c for c in before if c.entry.kind == "person" and _apposition(text, c, verb)]
        return [people[-1] if people else before[-1]]
    generic = list(_GENERIC.finditer(text, max(lo, verb - 60), verb))
    return [_generic_name(generic[-1])] if generic else []


def _apposition(text: str, person: Cand, verb: int) -> bool:
    return text[person.end:person.end + 2] == ", " and text.rfind(",", person.end + 1, verb) > 0


def _generic_name(m: re.Match[str]) -> str:
    head = _HEADS.get(m.group("head"), m.group("head"))
    return f"{m.group('adj')} {head}"


def _pos(item: Cand | str, text: str, default: int) -> int:
    if isinstance(item, Cand):
        return item.start
    idx = text.find(item.split()[0], default)
    return idx if idx >= 0 else default
