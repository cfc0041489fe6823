"""Deliver an alert version to its routes, each sink at most once, none blocking the others.

For each routed sink, concurrently: skip when (delivery_key, sink) is in the delivery log;
otherwise deliver, then record. A delivery that fails for good (permanent error, or transient
after the sink's own retries) goes to `on_dead_letter(alert, sink, error)` and is *not*
recorded, so replaying the dead letter later delivers it. Recording happens after delivery:
a crash in between re-sends once, which receivers dedupe by the Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

from services.alerting.delivery import DeliveryLog
from services.alerting.sinks.base import (
    DeliveryError,
    PermanentDeliveryError,
    Sink,
    TransientDeliveryError,
)
from shared.observability import (
    DEAD_LETTERS,
    DELIVERIES,
    DELIVERY_SECONDS,
    E2E_SECONDS,
    get_logger,
)
from shared.records import Alert

Outcome = Literal["delivered", "skipped", "dead_letter", "no_sink"]
DeadLetterCallback = Callable[[Alert, str, Exception], Awaitable[None] | None]

log = get_logger("alerting.dispatch")


class Dispatcher:
    def __init__(
        self,
        sinks: Mapping[str, Sink],
        log: DeliveryLog,
        routes: Sequence[str] | None = None,
        *,
        on_dead_letter: DeadLetterCallback | None = None,
        sink_timeout_s: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sinks = dict(sinks)
        self.log = log
        self.default_routes = tuple(routes) if routes is not None else tuple(self.sinks)
        self._on_dead_letter = on_dead_letter
        self._timeout = sink_timeout_s
        self._clock = clock
        self._inflight: set[tuple[str, str]] = set()
        self._unknown_reported: set[str] = set()

    async def dispatch(
        self, alert: Alert, routes: Sequence[str] | None = None
    ) -> dict[str, Outcome]:
        """Deliver to `routes` (default: the dispatcher's routes); returns each sink's outcome."""
        names = tuple(dict.fromkeys(routes if routes else self.default_routes))
        outcomes = await asyncio.gather(*(self._deliver_one(alert, n) for n in names))
        return dict(zip(names, outcomes, strict=True))

    async def aclose(self) -> None:
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
        self._inflight.add(slot)
        try:
            error = await self._attempt(sink, alert)
        finally:
            self._inflight.discard(slot)
        if error is not None:
            await self._dead_letter(alert, name, error)
            return "dead_letter"
        self.log.record(*slot)
        DELIVERIES.labels(sink=name, outcome="delivered").inc()
        if (fetched := alert.stamps.get("fetched")) is not None:
            E2E_SECONDS.labels(sink=name).observe(max(0.0, self._clock() - fetched))
        return "delivered"

    async def _attempt(self, sink: Sink, alert: Alert) -> Exception | None:
        started = time.perf_counter()
        try:
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
