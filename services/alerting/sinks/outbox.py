"""A sink's outbox: alerts that must wait (rate limit, or a sink that is down) go here and a
background task delivers them in order, retrying transient failures with capped exponential
backoff for as long as it takes — so a sink down for minutes gets everything once back, and
the caller (a partition loop, the embedded loop) is never held up by the retries.

The queue is bounded: `put` waits for room when it is full (delayed, never dropped), counted
by `frontwire_delivery_queue_full_total{sink}`; `frontwire_delivery_queue_depth{sink}` shows
the backlog. Persistence is the dispatcher's job (pending deliveries in the delivery log).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import Counter, Gauge

from services.alerting.sinks.base import TransientDeliveryError
from services.alerting.sinks.ratelimit import TokenBucket
from shared.observability import get_logger
from shared.records import Alert

QUEUE_DEPTH = Gauge("frontwire_delivery_queue_depth", "Alerts waiting in a sink's outbox", ["sink"])
QUEUE_FULL = Counter(
    "frontwire_delivery_queue_full_total", "Times a full outbox made the caller wait", ["sink"]
)
RETRIES = Counter(
    "frontwire_delivery_retries_total", "Background re-deliveries after a transient error", ["sink"]
)
RATE_LIMITED = Counter(
    "frontwire_delivery_rate_limited_total", "Alerts delayed by a route's rate limit", ["sink"]
)

log = get_logger("alerting.outbox")

Attempt = Callable[[Alert], Awaitable[Exception | None]]
Done = Callable[[Alert, Exception | None], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with equal jitter, for the background retries."""

    base_s: float = 1.0
    max_s: float = 60.0

    def delay(self, attempt: int) -> float:
        step = min(self.max_s, self.base_s * 2 ** min(attempt - 1, 30))
        return step / 2 + random.uniform(0, step / 2)


@dataclass
class _Item:
    alert: Alert
    ready_at: float = 0.0
    attempts: int = 0


class SinkOutbox:
    def __init__(
        self,
        sink: str,
        attempt: Attempt,
        done: Done,
        *,
        max_queue: int = 10_000,
        backoff: Backoff | None = None,
        bucket: TokenBucket | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sink, self.max_queue, self.bucket = sink, max_queue, bucket
        self._attempt, self._done = attempt, done
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._items: deque[_Item] = deque()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, alert: Alert) -> None:
        """Queue `alert` behind the backlog; waits while the queue is full."""
        if len(self._items) >= self.max_queue:
            QUEUE_FULL.labels(sink=self.sink).inc()
            log.warning("outbox_full", sink=self.sink, size=len(self._items))
            while len(self._items) >= self.max_queue:
                self._room.clear()
                await self._room.wait()
        self._items.append(_Item(alert))
        self._idle.clear()
        QUEUE_DEPTH.labels(sink=self.sink).set(len(self._items))
        self._ensure_running()
        self._wake.set()

    async def join(self) -> None:
        """Wait until the outbox is empty (tests; shutdown with a deadline)."""
        await self._idle.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self.sink}")

    async def _run(self) -> None:
        while True:
            if not self._items:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            head = self._items[0]
            wait = self._wait_for(head)
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            await self._try(head)

    def _wait_for(self, item: _Item) -> float:
        now = self._clock()
        wait = item.ready_at - now
        if self.bucket is not None:
            wait = max(wait, self.bucket.wait(now))
        return wait

    async def _try(self, item: _Item) -> None:
        if self.bucket is not None:
            self.bucket.take(self._clock())
        error = await self._attempt(item.alert)
        if isinstance(error, TransientDeliveryError):
            item.attempts += 1
            item.ready_at = self._clock() + self._backoff.delay(item.attempts)
            RETRIES.labels(sink=self.sink).inc()
            log.info(
                "delivery_retry_scheduled",
                sink=self.sink,
                attempts=item.attempts,
                delivery_key=item.alert.delivery_key,
                error=str(error),
            )
            return
        self._items.popleft()
        QUEUE_DEPTH.labels(sink=self.sink).set(len(self._items))
        self._room.set()
        await self._done(item.alert, error)
