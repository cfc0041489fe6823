"""Sentence boundaries, found lazily: only paragraphs that hold a trigger word are split.

Paragraphs that look like teasers ("Read more: ...") are flagged so that no event is read
from them.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_ABBREVS = frozenset({"mr", "mrs", "ms", "dr", "gen", "st", "lt", "col", "no", "vs", "sgt", "maj",
                      "capt", "adm", "gov", "sen", "rep", "jan", "feb", "aug", "sept", "oct",
                      "nov", "dec", "inc", "corp", "co", "jr", "u.s", "u.n", "u.k", "e.u"})
_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_TEASER = re.compile(
    r"^\s*(?:read more|related|also read|see also|watch|recommended|more|read next|"
    r"click here|you may also like)\b\s*[:\-–|]",
    re.IGNORECASE,
)

Span = tuple[int, int]


class Sentences:
    """``span_at(offset)`` -> (start, end) of the sentence holding ``offset``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._paras = [0]  # paragraph starts: after each run of newlines
        pos = 0
        for line in text.split("\n"):
            if line and pos:
                self._paras.append(pos)
            pos += len(line) + 1
        self._split: dict[int, list[Span]] = {}
        self._skips: dict[int, bool] = {}

    def paragraph_at(self, offset: int) -> int:
        return self._paras[bisect_right(self._paras, offset) - 1]

    def span_at(self, offset: int) -> Span:
        for span in self._spans(self.paragraph_at(offset)):
            if offset < span[1]:
                return span
        return self._spans(self.paragraph_at(offset))[-1]

    def span_before(self, start: int) -> Span:
        """The sentence before the one that starts at ``start``, in this paragraph or the
        one before; (0, 0) at the top."""
        para = self.paragraph_at(start)
        earlier = [span for span in self._spans(para) if span[1] <= start]
        if earlier:
            return earlier[-1]
        return self._spans(self.paragraph_at(para - 1))[-1] if para > 0 else (0, 0)

    def _spans(self, para: int) -> list[Span]:
        spans = self._split.get(para)
        if spans is None:
            spans = self._split[para] = _split(self.text, para)
        return spans

    def skip(self, offset: int) -> bool:
        """Teaser or bare headline paragraph: no events from here."""
        para = self.paragraph_at(offset)
        if para not in self._skips:
            self._skips[para] = _skip_paragraph(self.text, para)
        return self._skips[para]


def _split(text: str, para: int) -> list[Span]:
    end = text.find("\n", para)
    end = len(text) if end < 0 else end
    spans: list[Span] = []
    pos = para
    for m in _BOUNDARY.finditer(text, para, end):
        dot = m.start()
        if text[dot] == "." and " " in text[dot - 5:dot] and _abbreviation(text, dot):
            continue
        spans.append((pos, dot + 1))
        pos = m.end()
    spans.append((pos, end))
    return spans


def _abbreviation(text: str, dot: int) -> bool:
    w = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not w:
        return False
    word = w.group(1).lower()
    return word in _ABBREVS or (len(word) == 1 and word.isalpha())


def _skip_paragraph(text: str, start: int) -> bool:
    """A teaser line ("Read more: ...") tells another story. A short line without final
    punctuation is not skipped: wire flashes and feed summaries look like that."""
    end = text.find("\n", start)
    para = text[start:] if end < 0 else text[start:end]
    return _TEASER.match(para) is not None
