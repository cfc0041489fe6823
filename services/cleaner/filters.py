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


def _skip_teasers(paragraphs: list[str], start: int) -> int:
    """Index of the first prose paragraph at or after ``start``."""
    i = start
    while i < len(paragraphs) and not L.is_prose(paragraphs[i]):
        i += 1
    return i


def _ends_story(i: int, kept_words: int, tail_words: list[int], dump: bool) -> bool:
    """A terminal heading (checked by the caller) after some prose ends the story when little
    text follows it (always, in a dump)."""
    return dump or tail_words[i + 1] <= _TAIL_SHARE * kept_words


def _tail_words(paragraphs: list[str]) -> list[int]:
    """``out[i]`` = words in ``paragraphs[i:]`` (one pass, so the filter stays linear)."""
    out = [0] * (len(paragraphs) + 1)
    for i in range(len(paragraphs) - 1, -1, -1):
        out[i] = out[i + 1] + L.word_count(paragraphs[i])
    return out


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
    tail_words = [] if dump else _tail_words(paragraphs)
    kept_words, has_prose = 0, False
    i = 0
    while i < len(paragraphs):
        line = paragraphs[i]
        terminal = L.is_terminal_heading(line)
        if name := L.original_publisher(line):
            result.original_publisher = result.original_publisher or name
        elif terminal and has_prose and _ends_story(i, kept_words, tail_words, dump):
            break
        elif terminal or L.is_teaser_heading(line):
            i = _skip_teasers(paragraphs, i + 1)
            continue
        elif not L.is_junk(line) and not _is_title(line, titles, not kept):
            kept.append(line)
            kept_words += L.word_count(line)
            has_prose = has_prose or L.is_prose(line)
        i += 1
    if dump:
        _trim(kept)
    return result


def _trim(kept: list[str]) -> None:
    while kept and not L.is_prose(kept[-1]):
        kept.pop()
    while kept and not L.is_prose(kept[0]):
        kept.pop(0)
