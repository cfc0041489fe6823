"""robots.txt per host (RFC 9309 semantics), fetched through the guarded client and cached."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from services.fetcher.http import FetchError, HttpFetcher

ROBOTS_MAX_BYTES = 512_000
TTL_S = 24 * 3600.0
UNREACHABLE_TTL_S = 600.0


@dataclass
class _Entry:
    parser: RobotFileParser | None  # None: everything allowed
    disallow_all: bool
    expires: float


class RobotsCache:
    def __init__(self, fetcher: HttpFetcher, user_agent: str) -> None:
        self.fetcher = fetcher
        self.agent = user_agent.split("/", 1)[0].strip() or "*"
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        """May ``url`` be fetched? FetchError when robots.txt is unreachable (network)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        entry = self._entries.get(origin)
        if entry is None or entry.expires < time.monotonic():
            # One fetch per origin, however many polls of that origin start at once.
            async with self._locks.setdefault(origin, asyncio.Lock()):
                entry = self._entries.get(origin)
                if entry is None or entry.expires < time.monotonic():
                    entry = self._entries[origin] = await self._load(origin)
        if entry.disallow_all:
            return False
        return entry.parser is None or entry.parser.can_fetch(self.agent, url)

    async def _load(self, origin: str) -> _Entry:
        now = time.monotonic()
        try:
            resp = await self.fetcher.get(
                f"{origin}/robots.txt", kind="robots", max_bytes=ROBOTS_MAX_BYTES
            )
        except FetchError as exc:
            if exc.kind == "http_5xx":  # RFC 9309 2.3.1.4: unreachable -> assume disallowed
                return _Entry(None, True, now + UNREACHABLE_TTL_S)
            if exc.kind in ("http_4xx", "too_large", "content_type", "redirects"):
                return _Entry(None, False, now + TTL_S)  # "unavailable": no restrictions
            raise
        parser = RobotFileParser()
        parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.agent)
        if delay:
            self.fetcher.gates.set_min_delay(urlsplit(origin).hostname or "", float(delay))
        return _Entry(parser, False, now + TTL_S)
