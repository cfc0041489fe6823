"""robots.txt per host (RFC 9309 semantics), fetched through the guarded client and cached.

The cache is bounded: at most ``max_entries`` origins (least recently used dropped first),
each kept ``TTL_S`` at most. A 4xx (404: no robots.txt) means "no restrictions" (RFC 9309
2.3.1.3) and is an answer, not a fetch error: it is not counted as one.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from services.fetcher.http import FetchError, HttpFetcher

ROBOTS_MAX_BYTES = 512_000
TTL_S = 24 * 3600.0
UNREACHABLE_TTL_S = 600.0
DEFAULT_MAX_ENTRIES = 10_000
# RFC 9309 2.3.1.3: "unavailable" (4xx) and what cannot be a robots.txt: no restrictions.
_UNAVAILABLE = ("http_4xx", "too_large", "content_type", "redirects")


@dataclass
class _Entry:
    parser: RobotFileParser | None  # None: everything allowed
    disallow_all: bool
    expires: float


class RobotsCache:
    def __init__(
        self, fetcher: HttpFetcher, user_agent: str, *, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self.fetcher = fetcher
        self.agent = user_agent.split("/", 1)[0].strip() or "*"
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}  # only while a fetch is in flight

    async def allowed(self, url: str) -> bool:
        """May ``url`` be fetched? FetchError when robots.txt is unreachable (network)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        entry = self._entries.get(origin)
        if entry is None or entry.expires < time.monotonic():
            entry = await self._refresh(origin)
        else:
            self._entries.move_to_end(origin)
        if entry.disallow_all:
            return False
        return entry.parser is None or entry.parser.can_fetch(self.agent, url)

    async def _refresh(self, origin: str) -> _Entry:
        # One fetch per origin, however many polls of that origin start at once.
        lock = self._locks.setdefault(origin, asyncio.Lock())
        try:
            async with lock:
                entry = self._entries.get(origin)
                if entry is None or entry.expires < time.monotonic():
                    entry = await self._load(origin)
                    self._entries[origin] = entry
                    self._entries.move_to_end(origin)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
                return entry
        finally:
            # Dropped once released, so the locks stay as few as the fetches in flight; a
            # caller that races a new lock in meanwhile finds the fresh entry (or, at worst,
            # fetches robots.txt once more).
            if self._locks.get(origin) is lock and not lock.locked():
                del self._locks[origin]

    def __len__(self) -> int:
        return len(self._entries)

    async def _load(self, origin: str) -> _Entry:
        now = time.monotonic()
        try:
            resp = await self.fetcher.get(
                f"{origin}/robots.txt", kind="robots", max_bytes=ROBOTS_MAX_BYTES,
                answers=_UNAVAILABLE,
            )
        except FetchError as exc:
            if exc.kind == "http_5xx":  # RFC 9309 2.3.1.4: unreachable -> assume disallowed
                return _Entry(None, True, now + UNREACHABLE_TTL_S)
            if exc.kind in _UNAVAILABLE:
                return _Entry(None, False, now + TTL_S)  # "unavailable": no restrictions
            raise
        parser = RobotFileParser()
        parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.agent)
        if delay:
            self.fetcher.gates.set_min_delay(urlsplit(origin).hostname or "", float(delay))
        return _Entry(parser, False, now + TTL_S)
