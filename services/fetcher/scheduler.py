"""Poll every source on its own interval until stopped (used by embedded mode and the worker)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence

from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from shared.records import RawArticle

Emit = Callable[[RawArticle], Awaitable[None]]


async def watch(
    poller: FeedPoller, sources: Sequence[Source], emit: Emit, *,
    stop: asyncio.Event | None = None, jitter: float = 0.1,
) -> None:
    """Poll each source now (spread over a few seconds), then every ``interval_s`` (+ jitter);
    hand each new article to ``emit``. Returns when ``stop`` is set."""
    stop = stop or asyncio.Event()
    await asyncio.gather(*(_loop(poller, s, emit, stop, jitter) for s in sources))


async def _loop(
    poller: FeedPoller, source: Source, emit: Emit, stop: asyncio.Event, jitter: float
) -> None:
    delay = random.random() * min(source.interval_s, 5.0)
    while not await _stopped(stop, delay):
        for article in await poller.poll(source):
            await emit(article)
        delay = source.interval_s * (1 + jitter * random.random())


async def _stopped(stop: asyncio.Event, delay: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=delay)
    except TimeoutError:
        return False
    return True
