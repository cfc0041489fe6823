"""Deliver an alert version to its routes, each sink at most once, none blocking the others.

For each routed sink, concurrently: skip when (delivery_key, sink) is in the delivery log;
otherwise deliver (at most `sink_concurrency` at once per sink), then record. A transient
failure that outlives the sink's own retries, a route over its rate limit, or any alert behind
a backlog goes to the sink's `SinkOutbox` ("queued"): a background task retries it with capped
backoff until it is delivered, so the caller is not held up. Queued deliveries are persisted
as pending in the delivery log (when it supports it) and `resume()` re-queues them after a
restart. A permanent failure goes to `on_dead_letter(alert, sink, error)` and is *not*
recorded, so replaying the dead letter later delivers it. Recording happens after delivery:
a crash in between re-sends once, which receivers dedupe by the Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

from services.alerting.delivery import DeliveryLog, PendingLog
from services.alerting.model import RouteLimit
from services.alerting.sinks.base import (
    DeliveryError,
    PermanentDeliveryError,
    Sink,
    TransientDeliveryError,
)
from services.alerting.sinks.outbox import RATE_LIMITED, Backoff, SinkOutbox
from services.alerting.sinks.ratelimit import TokenBucket
from shared.codec import decode, encode
from shared.observability import (
    DEAD_LETTERS,
    DELIVERIES,
    DELIVERY_SECONDS,
    E2E_SECONDS,
    get_logger,
)
from shared.records import Alert

Outcome = Literal["delivered", "queued", "skipped", "dead_letter", "no_sink"]
DeadLetterCallback = Callable[[Alert, str, Exception], Awaitable[None] | None]
SettleLater = Callable[[Alert, str, str], None]  # alert, sink, "delivered" | "dropped"

log = get_logger("alerting.dispatch")


class Dispatcher:
    def __init__(
        self,
        sinks: Mapping[str, Sink],
        log: DeliveryLog,
        routes: Sequence[str] | None = None,
        *,
        on_dead_letter: DeadLetterCallback | None = None,
        settle_later: SettleLater | None = None,
        sink_timeout_s: float | None = None,
        clock: Callable[[], float] = time.time,
        sink_concurrency: int = 8,
        backoff: Backoff | None = None,
        route_limits: Mapping[str, RouteLimit] | None = None,
    ) -> None:
        self.sinks = dict(sinks)
        self.log = log
        self.default_routes = tuple(routes) if routes is not None else tuple(self.sinks)
        self._on_dead_letter = on_dead_letter
        # How a delivery the outbox finished in the background is recorded: by default in the
        # log at once; the Kafka runtime hands it back to the deliver stage instead, whose
        # state (a faust table) can only be written from its own stream.
        self._settle_later = settle_later
        self._timeout = sink_timeout_s
        self._clock = clock
        self._inflight: set[tuple[str, str]] = set()
        self._unknown_reported: set[str] = set()
        self._slots = {name: asyncio.Semaphore(sink_concurrency) for name in self.sinks}
        self._backoff = backoff or Backoff()
        self._limits: dict[str, RouteLimit] = {}
        self._buckets: dict[str, TokenBucket] = {}
        self._boxes: dict[str, SinkOutbox] = {}
        self.set_route_limits(route_limits or {})

    def set_route_limits(self, limits: Mapping[str, RouteLimit]) -> None:
        """Apply per-route token buckets (e.g. after a rules reload); unchanged ones keep
        their state, so a reload does not refill a bucket."""
        for name in set(self._limits) - set(limits):
            self._buckets.pop(name, None)
        for name, limit in limits.items():
            if self._limits.get(name) != limit:
                self._buckets[name] = TokenBucket.of(limit)
        self._limits = dict(limits)
        for name, box in self._boxes.items():
            box.bucket = self._buckets.get(name)
            box.max_queue = self._max_queue(name)

    def backlog(self, sink: str) -> int:
        box = self._boxes.get(sink)
        return len(box) if box is not None else 0

    async def drain(self) -> None:
        """Wait until every outbox is empty (bound it with asyncio.wait_for)."""
        for box in list(self._boxes.values()):
            await box.join()

    async def resume(self) -> int:
        """Re-queue the pending deliveries the log kept (after a restart); returns how many."""
        if not isinstance(self.log, PendingLog):
            return 0
        count = 0
        for sink, payload in self.log.pending():
            alert = decode(payload, Alert)
            slot = (alert.delivery_key, sink)
            if sink in self.sinks and slot not in self._inflight and not self.log.seen(*slot):
                self._inflight.add(slot)
                await self._outbox(sink).put(alert)
                count += 1
        return count

    def settled(self, delivery_key: str, sink: str) -> None:
        """A background delivery's report was applied to the log (``settle_later``)."""
        self._inflight.discard((delivery_key, sink))

    async def dispatch(
        self, alert: Alert, routes: Sequence[str] | None = None
    ) -> dict[str, Outcome]:
        """Deliver to `routes` (default: the dispatcher's routes); returns each sink's outcome."""
        names = tuple(dict.fromkeys(routes if routes else self.default_routes))
        outcomes = await asyncio.gather(*(self._deliver_one(alert, n) for n in names))
        return dict(zip(names, outcomes, strict=True))

    async def aclose(self) -> None:
        for box in self._boxes.values():
            await box.stop()  # what is left stays pending in the log for the next start
        for sink in self.sinks.values():
            close = getattr(sink, "aclose", None)
            if close is not None:
                await close()

    async def _deliver_one(self, alert: Alert, name: str) -> Outcome:
        sink = self.sinks.get(name)
        if sink is None:
            self._report_unknown(name)
            return "no_sink"
        slot = (alert.delivery_key, name)
        # In-flight check too: two copies of one alert dispatched at once must not both send.
        if slot in self._inflight or self.log.seen(*slot):
            DELIVERIES.labels(sink=name, outcome="skipped").inc()
            return "skipped"
        if isinstance(self.log, PendingLog) and self.log.is_pending(*slot):
            # Queued by an earlier run, whose outcome may still be on its way (a report behind
            # this record): resume() sends it once the log has caught up, not a second copy now.
            return "queued"
        self._inflight.add(slot)
        if self.backlog(name) or not self._take_token(name):
            await self._enqueue(alert, name)  # behind the backlog, or over the rate limit
            return "queued"
        try:
            error = await self._attempt(name, sink, alert)
        except BaseException:
            self._inflight.discard(slot)
            raise
        if isinstance(error, TransientDeliveryError):
            DELIVERIES.labels(sink=name, outcome="failed").inc()
            await self._enqueue(alert, name)
            return "queued"
        await self._finish(alert, name, error)
        return "delivered" if error is None else "dead_letter"

    def _take_token(self, name: str) -> bool:
        bucket = self._buckets.get(name)
        if bucket is None or bucket.take(time.monotonic()):
            return True
        RATE_LIMITED.labels(sink=name).inc()
        return False

    async def _enqueue(self, alert: Alert, name: str) -> None:
        if isinstance(self.log, PendingLog):
            self.log.add_pending(alert.delivery_key, name, encode(alert))
        await self._outbox(name).put(alert)

    def _outbox(self, name: str) -> SinkOutbox:
        box = self._boxes.get(name)
        if box is None:
            sink = self.sinks[name]

            async def attempt(alert: Alert) -> Exception | None:
                return await self._attempt(name, sink, alert)

            async def done(alert: Alert, error: Exception | None) -> None:
                await self._finish(alert, name, error, in_stage=False)

            box = self._boxes[name] = SinkOutbox(
                name,
                attempt,
                done,
                max_queue=self._max_queue(name),
                backoff=self._backoff,
                bucket=self._buckets.get(name),
            )
        return box

    def _max_queue(self, name: str) -> int:
        limit = self._limits.get(name)
        return limit.max_queue if limit is not None else 10_000

    async def _finish(
        self, alert: Alert, name: str, error: Exception | None, *, in_stage: bool = True
    ) -> None:
        """A delivery's end: recorded when it succeeded, dead-lettered when it failed for good."""
        slot = (alert.delivery_key, name)
        if in_stage or self._settle_later is None:
            self._inflight.discard(slot)
        # else it stays in flight until its report is applied (settled): its pending entry
        # is still in the log until then, and resume() must not send it a second time.
        if error is None:
            DELIVERIES.labels(sink=name, outcome="delivered").inc()
            if (fetched := alert.stamps.get("fetched")) is not None:
                E2E_SECONDS.labels(sink=name).observe(max(0.0, self._clock() - fetched))
        else:
            await self._dead_letter(alert, name, error)
        if not in_stage and self._settle_later is not None:
            self._settle_later(alert, name, "delivered" if error is None else "dropped")
            return
        if error is None:
            self.log.record(*slot)
        if isinstance(self.log, PendingLog):
            self.log.drop_pending(*slot)

    async def _attempt(self, name: str, sink: Sink, alert: Alert) -> Exception | None:
        started = time.perf_counter()
        try:
            async with self._slots[name]:
                await asyncio.wait_for(sink.deliver(alert), self._timeout)
            return None
        except DeliveryError as exc:
            return exc
        except TimeoutError:
            return TransientDeliveryError(f"{sink.name}: no answer in {self._timeout}s")
        except Exception as exc:  # a sink bug must not take the other sinks down with it
            log.exception("sink_crashed", sink=sink.name, alert_id=alert.alert_id)
            return PermanentDeliveryError(f"{sink.name}: {type(exc).__name__}: {exc}")
        finally:
            DELIVERY_SECONDS.labels(sink=sink.name).observe(time.perf_counter() - started)

    async def _dead_letter(self, alert: Alert, name: str, error: Exception) -> None:
        outcome = "failed" if isinstance(error, TransientDeliveryError) else "rejected"
        DELIVERIES.labels(sink=name, outcome=outcome).inc()
        log.error(
            "delivery_dead_lettered",
            sink=name,
            delivery_key=alert.delivery_key,
            error=str(error),
            error_type=type(error).__name__,
        )
        if self._on_dead_letter is None:
            # Nobody else will count it; a callback that writes a dead-letter record does.
            DEAD_LETTERS.labels(stage="alerting").inc()
            return
        try:
            result = self._on_dead_letter(alert, name, error)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("dead_letter_callback_failed", sink=name, alert_id=alert.alert_id)

    def _report_unknown(self, name: str) -> None:
        # A rule may route to a sink this deployment does not run (e.g. "webhook" in embedded
        # mode without a URL); say so once rather than per alert.
        if name not in self._unknown_reported:
            self._unknown_reported.add(name)
            log.warning("route_without_sink", sink=name, configured=sorted(self.sinks))
