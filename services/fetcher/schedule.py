"""Adaptive poll schedule, pure (clock and randomness injected): busy sources are polled more
often, idle ones less, each within its own [min, max] bounds, with jitter so sources that
started together drift apart. Also the "due", "overdue" and lag figures for the metrics."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.fetcher.sources import Source

FASTER = 0.5  # interval factor after a poll that brought new articles
SLOWER = 1.5  # ... after a poll that brought nothing new


@dataclass
class Slot:
    source: Source
    interval: float
    due: float
    failures: int = 0  # consecutive failed polls: the back-off exponent


class Schedule:
    def __init__(
        self, sources: Iterable[Source], *, clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random, jitter: float = 0.1, spread_s: float = 5.0,
    ) -> None:
        self.clock, self.rng, self.jitter = clock, rng, jitter
        now = clock()
        self.slots = {
            s.url: Slot(s, s.interval_s, now + rng() * min(s.interval_s, spread_s))
            for s in sources
        }

    def due(self) -> list[Source]:
        """Sources whose time has come, the most overdue first."""
        now = self.clock()
        ready = sorted((slot for slot in self.slots.values() if slot.due <= now),
                       key=lambda slot: slot.due)
        return [slot.source for slot in ready]

    def lag(self, source: Source) -> float:
        """How late the poll starting now is (0 if on time)."""
        return max(0.0, self.clock() - self.slots[source.url].due)

    def record(self, source: Source, new: int) -> float:
        """A poll of ``source`` brought ``new`` articles: adapt its interval, set the next due
        time (with jitter) and return the interval."""
        slot = self.slots[source.url]
        low, high = source.bounds
        factor = FASTER if new > 0 else SLOWER
        slot.interval = min(high, max(low, slot.interval * factor))
        slot.failures = 0
        spread = 1 + self.jitter * (2 * self.rng() - 1)
        slot.due = self.clock() + slot.interval * spread
        return slot.interval

    def failed(self, source: Source) -> float:
        """A poll of ``source`` failed (unreachable, malformed, or it crashed a unit): back off
        exponentially from its interval, 2ⁿ after n failures in a row, up to its
        ``max_interval_s``. Returns the delay until the next try."""
        slot = self.slots[source.url]
        slot.failures += 1
        high = source.bounds[1]
        delay = min(high, slot.interval * 2.0 ** min(slot.failures, 20))
        spread = 1 + self.jitter * (2 * self.rng() - 1)
        slot.due = self.clock() + delay * spread
        return delay

    def counts(self) -> tuple[int, int]:
        """(sources due now, sources overdue by more than their own interval)."""
        now = self.clock()
        due = [slot for slot in self.slots.values() if slot.due <= now]
        return len(due), sum(1 for slot in due if now - slot.due > slot.interval)

    def wait_s(self) -> float:
        """Seconds until the next source is due (0 if one is due already)."""
        if not self.slots:
            return 3600.0
        return max(0.0, min(slot.due for slot in self.slots.values()) - self.clock())
