"""Text dumps (a page saved as text): title, dateline and story paragraphs, line by line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.cleaner import dates, filters
from services.cleaner import lines as L
from services.cleaner.metadata import clean_authors

_MAX_TITLE_WORDS = 30
_MAX_DATELINE_WORDS = 8
_BYLINE = re.compile(r"^(?:by|von|par|por|updated|published|posted)\b", re.IGNORECASE)
_UPDATED = re.compile(r"^(?:updated|last (?:updated|modified)|modified|edited)\b", re.I)
_AUTHOR_LINE = re.compile(r"^(?:by|written by)\s+(?P<names>[A-Z][^\d]{1,120})$", re.I)
_MAX_BYLINE_WORDS = 12
_NAME = re.compile(r"^[A-Z][\w&.' -]{0,40}$")


@dataclass(frozen=True, slots=True)
class DumpArticle:
    title: str | None
    paragraphs: list[str]
    publisher: str | None
    published: str | None
    original_publisher: str | None
    authors: tuple[str, ...] = ()
    modified: str | None = None


# Per-document budget: a dump is read up to this many non-empty lines (the rest is cut), which
# bounds the line rules' work the way `html.EXTRACT_MAX_NODES` bounds the extractor's.
MAX_LINES = 10_000


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        if line.strip():
            out.append(" ".join(line.split()))
            if len(out) >= MAX_LINES:
                break
    return out


def _head(lines: list[str]) -> list[str]:
    """The lines before the first prose paragraph: where title and dateline live."""
    for i, line in enumerate(lines):
        if L.is_prose(line):
            return lines[:i]
    return lines[:5]


def _title(head: list[str], hint: str | None) -> str | None:
    if hint and hint.strip():
        return " ".join(hint.split())
    for line in head:
        words = L.word_count(line)
        if 3 <= words <= _MAX_TITLE_WORDS and not L.is_junk(line) and not dates.from_text(line):
            return line
    return None


def _dateline(head: list[str]) -> tuple[str | None, str | None, str | None, str | None]:
    """(line, publisher, published, modified) from short head lines that carry a date, e.g.
    "Yahoo14-07-2025"; an "Updated ..." line gives the modification date, not publication."""
    chosen: tuple[str | None, str | None, str | None] = (None, None, None)
    modified = None
    for line in head:
        if L.word_count(line) > _MAX_DATELINE_WORDS or not (found := dates.from_text(line)):
            continue
        if _UPDATED.match(line):
            modified = modified or found
            continue
        if chosen[0] is None:
            rest = dates.strip_date(line).strip(" -|·,–—")
            publisher = rest if _NAME.match(rest) and not _BYLINE.match(rest) else None
            chosen = (line, publisher, found)
    return (*chosen, modified)


def _authors(head: list[str]) -> tuple[str, ...]:
    for line in head:
        match = _AUTHOR_LINE.match(line)
        if match and L.word_count(line) <= _MAX_BYLINE_WORDS:
            return clean_authors(match["names"])
    return ()


def clean_dump(text: str, title_hint: str | None = None) -> DumpArticle:
    lines = _lines(text)
    head = _head(lines)
    title = _title(head, title_hint)
    dateline, publisher, published, modified = _dateline(head)
    body = [line for line in lines if line != dateline]
    kept = filters.filter_paragraphs(body, title, dump=True)
    return DumpArticle(title, kept.paragraphs, publisher, published, kept.original_publisher,
                       _authors(head), modified)
