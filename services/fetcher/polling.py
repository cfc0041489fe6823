"""Run the adaptive `Schedule`: poll what is due (several sources at once), hand new articles
to ``emit``, keep the schedule metrics current: one round of the fetch stage
(services/io_stages.py `Fetch`), which both runtimes tick.

Each source is a unit of failure (``FeedPoller.poll_batch`` never raises): a source whose poll
failed — unreachable, malformed, over its parse budget, or crashing — is backed off
(``Schedule.failed``) and the others go on. Articles are marked seen only once ``emit`` took
them (``FeedPoller.hand_on``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.fetcher.metrics import INTERVAL, SCHEDULER_LAG, SOURCES_DUE, SOURCES_OVERDUE
from services.fetcher.poller import FeedPoller
from services.fetcher.schedule import Schedule
from services.fetcher.sources import Source
from shared.observability import get_logger
from shared.records import RawArticle

Emit = Callable[[RawArticle], Awaitable[None]]
log = get_logger("frontwire.fetcher")

# A poll that failed for one of these reasons is not the source's fault: no back-off.
NOT_THE_SOURCES_FAULT = frozenset({"backoff"})  # the host gate is backing off already


async def run_due(
    poller: FeedPoller, schedule: Schedule, emit: Emit, *, concurrency: int = 16
) -> int:
    """Poll every source due now (``concurrency`` at a time); returns how many were polled."""
    due = schedule.due()
    _gauges(schedule)
    gate = asyncio.Semaphore(concurrency)

    async def one(source: Source) -> None:
        async with gate:
            SCHEDULER_LAG.observe(schedule.lag(source))
            batch = await poller.poll_batch(source)
            handed = await poller.hand_on(batch, emit)
            if batch.error is not None and batch.error not in NOT_THE_SOURCES_FAULT:
                delay = schedule.failed(source)
                log.info("source_backed_off", source=source.name, url=source.url,
                         reason=batch.error, retry_in_s=round(delay, 1))
                INTERVAL.labels(source.name).set(delay)
            else:
                INTERVAL.labels(source.name).set(schedule.record(source, handed))

    await asyncio.gather(*(one(s) for s in due))
    return len(due)


def _gauges(schedule: Schedule) -> None:
    due, overdue = schedule.counts()
    SOURCES_DUE.set(due)
    SOURCES_OVERDUE.set(overdue)
