"""Feed parsing off the event loop, under a wall-clock budget per document.

Two layers, because a budget alone is not enough and neither is a size cap:

1. **Bounded input** (in ``feed_formats.parse_document``): bodies are capped by the HTTP client, and
   feedparser's lenient parser — the one slow path, ~54 s of CPU on a 4 MB broken feed — only
   sees documents up to ``feeds.LENIENT_MAX_BYTES``.
2. **A hard stop**: each document is parsed in a worker *process* (a pebble ``ProcessPool``)
   and the worker is killed when it runs past ``budget_s``. A thread would keep the event loop
   free but cannot be stopped: a runaway parse would hold a core for as long as it likes.
   Processes come from a ``forkserver`` that has imported the parsers once, so a worker is
   cheap to start and never inherits the fetcher's threads or sockets.

``InlineParser`` parses on the calling thread (benchmarks and unit tests of the reader).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import threading
from typing import Protocol

import pebble

from services.fetcher.feed_formats import FeedDoc, parse_document
from shared.errors import InputError

DEFAULT_BUDGET_S = 10.0
DEFAULT_WORKERS = 2


class ParseTimeout(InputError):
    """The document took longer than the budget; its worker was killed."""


class ParseCrash(InputError):
    """The worker process died while parsing (killed by the OS, out of memory, a crash)."""


class FeedParser(Protocol):
    async def parse(self, body: bytes, url: str) -> FeedDoc: ...

    def close(self) -> None: ...


class InlineParser:
    async def parse(self, body: bytes, url: str) -> FeedDoc:
        return parse_document(body, url)

    def close(self) -> None:
        pass


class PooledParser:
    """Parse in worker processes; ``ParseTimeout`` past ``budget_s``, ``FeedError`` as usual."""

    def __init__(self, *, budget_s: float = DEFAULT_BUDGET_S,
                 workers: int = DEFAULT_WORKERS) -> None:
        self.budget_s, self.workers = budget_s, workers
        self._pool: pebble.ProcessPool | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> pebble.ProcessPool:
        with self._lock:
            if self._pool is None or not self._pool.active:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["services.fetcher.feed_formats"])
                self._pool = pebble.ProcessPool(max_workers=self.workers, context=context)
            return self._pool

    async def parse(self, body: bytes, url: str) -> FeedDoc:
        future = self._get_pool().schedule(parse_document, args=(body, url),
                                           timeout=self.budget_s)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.TimeoutError:
            raise ParseTimeout(f"feed parse over its {self.budget_s:g} s budget") from None
        except pebble.ProcessExpired as exc:
            raise ParseCrash(f"parser process died: {exc}") from None
        except asyncio.CancelledError:
            future.cancel()  # pebble stops the worker of a cancelled running task
            raise

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join(timeout=5)
                self._pool = None
