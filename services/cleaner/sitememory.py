"""Per-site boilerplate learnt from lines that recur across a site's documents.

A line that shows up in ``min_docs`` different documents of the same host (the one being
cleaned included) is treated as that site's boilerplate (a footer, a promo, a standing
disclaimer). Memory is bounded: at most
``max_sites`` hosts (least recently used dropped) and ``max_lines`` counted lines per host
(lines seen once are forgotten first).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

_NORM = re.compile(r"\W+")
_MIN_WORDS = 2
_KEEP_SHARE = 0.5


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _line_key(line: str) -> bytes:
    return hashlib.blake2b(_NORM.sub(" ", line.casefold()).strip().encode(), digest_size=8).digest()


class SiteMemory:
    def __init__(self, min_docs: int = 3, max_sites: int = 2000, max_lines: int = 4000) -> None:
        self.min_docs = min_docs
        self.max_sites = max_sites
        self.max_lines = max_lines
        self._sites: OrderedDict[str, dict[bytes, int]] = OrderedDict()

    def _site(self, host: str) -> dict[bytes, int]:
        counts = self._sites.get(host)
        if counts is None:
            counts = self._sites[host] = {}
            if len(self._sites) > self.max_sites:
                self._sites.popitem(last=False)
        self._sites.move_to_end(host)
        return counts

    def learn(self, host: str, lines: list[str]) -> None:
        """Count each distinct line of one document of ``host``."""
        if not host:
            return
        counts = self._site(host)
        for key in {_line_key(line) for line in lines if len(line.split()) >= _MIN_WORDS}:
            counts[key] = counts.get(key, 0) + 1
        if len(counts) > self.max_lines:
            self._prune(counts)

    def _prune(self, counts: dict[bytes, int]) -> None:
        for key in [k for k, n in counts.items() if n < 2]:
            del counts[key]
        while len(counts) > self.max_lines:  # still full of recurring lines: halve them
            for key in list(counts)[: len(counts) // 2]:
                del counts[key]

    def is_boilerplate(self, host: str, line: str) -> bool:
        counts = self._sites.get(host)
        return counts is not None and counts.get(_line_key(line), 0) >= self.min_docs

    def strip(self, host: str, paragraphs: list[str]) -> list[str]:
        """``paragraphs`` (one new document) without the site's learnt boilerplate: lines that
        earlier documents and this one make ``min_docs`` sightings of (unchanged if that is
        all the text). So with ``min_docs=3`` a shared footer goes from the third document on."""
        counts = self._sites.get(host)
        if counts is None:
            return paragraphs
        earlier = self.min_docs - 1
        kept = [p for p in paragraphs if counts.get(_line_key(p), 0) < earlier]
        before, after = _words(paragraphs), _words(kept)
        # Most of the text "recurring" means a re-post of one story, not boilerplate.
        return kept if after >= _KEEP_SHARE * before else paragraphs
