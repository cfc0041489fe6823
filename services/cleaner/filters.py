"""Post-filters over extracted paragraphs: drop widgets, repeated titles and teaser blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.cleaner import lines as L

_NORM = re.compile(r"\W+")
# In an HTML extraction a "Related"/"Comments" heading ends the story only when little text
# follows it; otherwise only the heading and the teaser lines right after it go.
_TAIL_SHARE = 0.5


@dataclass(slots=True)
class Filtered:
    paragraphs: list[str] = field(default_factory=list)
    original_publisher: str | None = None


def _key(text: str) -> str:
    return _NORM.sub(" ", text.casefold()).strip()


def _words(paragraphs: list[str]) -> int:
    return sum(L.word_count(p) for p in paragraphs)


def _skip_teasers(paragraphs: list[str], start: int) -> int:
    """Index of the first prose paragraph at or after ``start``."""
    i = start
    while i < len(paragraphs) and not L.is_prose(paragraphs[i]):
        i += 1
    return i


def _ends_story(paragraphs: list[str], i: int, kept: list[str], dump: bool) -> bool:
    if not L.is_terminal_heading(paragraphs[i]) or not any(L.is_prose(p) for p in kept):
        return False
    return dump or _words(paragraphs[i + 1 :]) <= _TAIL_SHARE * _words(kept)


def _is_title(line: str, titles: list[str], leading: bool) -> bool:
    """The headline repeated: equal to a known title, or (before the story starts) a part of
    one, as when the page title carries the site name."""
    key = _key(line)
    if not key:
        return False
    if key in titles:
        return True
    return leading and len(key.split()) >= 3 and any(key in t for t in titles)


def filter_paragraphs(
    paragraphs: list[str], title: str | None = None, *, dump: bool = False,
    other_titles: tuple[str | None, ...] = (),
) -> Filtered:
    """Keep the story's paragraphs; ``dump`` marks a text dump, where a "Related" heading
    always ends the story and non-prose lines around the story are trimmed."""
    result = Filtered()
    titles = [_key(t) for t in (title, *other_titles) if t]
    kept = result.paragraphs
    i = 0
    while i < len(paragraphs):
        line = paragraphs[i]
        if name := L.original_publisher(line):
            result.original_publisher = result.original_publisher or name
        elif _ends_story(paragraphs, i, kept, dump):
            break
        elif L.is_teaser_heading(line) or L.is_terminal_heading(line):
            i = _skip_teasers(paragraphs, i + 1)
            continue
        elif not L.is_junk(line) and not _is_title(line, titles, not kept):
            kept.append(line)
        i += 1
    if dump:
        _trim(kept)
    return result


def _trim(kept: list[str]) -> None:
    while kept and not L.is_prose(kept[-1]):
        kept.pop()
    while kept and not L.is_prose(kept[0]):
        kept.pop(0)
