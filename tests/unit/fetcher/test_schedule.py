"""The adaptive schedule with an injected clock and randomness: no sleeping, no timing."""

from __future__ import annotations

from services.fetcher.schedule import Schedule
from services.fetcher.sources import Source


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _schedule(*sources: Source, rng: float = 0.5) -> tuple[Schedule, Clock]:
    clock = Clock()
    return Schedule(sources, clock=clock, rng=lambda: rng, spread_s=0.0), clock


BUSY = Source("busy", "https://busy.example/rss", interval_s=120)
IDLE = Source("idle", "https://idle.example/rss", interval_s=120)


def test_everything_due_at_start_then_nothing() -> None:
    schedule, _ = _schedule(BUSY, IDLE)
    assert schedule.due() == [BUSY, IDLE]
    schedule.record(BUSY, new=0)
    schedule.record(IDLE, new=0)
    assert schedule.due() == []


def test_busy_sources_speed_up_idle_ones_slow_down_within_bounds() -> None:
    schedule, _ = _schedule(BUSY, IDLE)
    busy = [schedule.record(BUSY, new=5) for _ in range(10)]
    idle = [schedule.record(IDLE, new=0) for _ in range(10)]
    assert busy[0] == 60 and busy[-1] == 30  # halves down to interval/4
    assert idle[0] == 180 and idle[-1] == 480  # x1.5 up to interval*4
    assert schedule.record(IDLE, new=1) == 240  # news again: back towards busy


def test_explicit_bounds_and_floor() -> None:
    src = Source("s", "https://s.example/", interval_s=20, min_interval_s=15, max_interval_s=25)
    schedule, _ = _schedule(src)
    assert [schedule.record(src, new=1) for _ in range(3)] == [15, 15, 15]
    assert [schedule.record(src, new=0) for _ in range(3)] == [22.5, 25, 25]
    assert Source("t", "https://t.example/", interval_s=20).bounds == (10, 80)


def test_jitter_spreads_the_due_time() -> None:
    low, clock = _schedule(IDLE, rng=0.0)
    high, _ = _schedule(IDLE, rng=1.0)
    low.record(IDLE, new=0)
    high.record(IDLE, new=0)
    assert low.slots[IDLE.url].due == clock.now + 180 * 0.9
    assert high.slots[IDLE.url].due == clock.now + 180 * 1.1


def test_due_overdue_lag_and_wait() -> None:
    schedule, clock = _schedule(BUSY, IDLE, rng=0.5)
    schedule.record(BUSY, new=1)  # next in 60 s
    schedule.record(IDLE, new=0)  # next in 180 s
    assert schedule.wait_s() == 60
    clock.now += 100
    assert schedule.due() == [BUSY] and schedule.counts() == (1, 0)
    assert schedule.lag(BUSY) == 40
    clock.now += 100  # busy now 140 s late (> its 60 s interval), idle 20 s late
    assert schedule.due() == [BUSY, IDLE]
    assert schedule.counts() == (2, 1)
    assert schedule.wait_s() == 0
