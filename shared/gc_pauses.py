"""How long the garbage collector stops each worker: a collection of the oldest generation
walks every live object, so in a worker that holds many (alert groups, delivery logs, the
alert history) it holds the event loop for as long as it runs, and every record queued behind
it waits. Read with `frontwire_event_loop_lag_seconds` when the latency tail grows."""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import Histogram

GC_PAUSE = Histogram(
    "frontwire_gc_pause_seconds",
    "How long each garbage collection held the worker, by generation collected",
    ["service", "generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
_WATCHED: set[str] = set()


def watch_gc_pauses(service: str) -> None:
    """Time every collection from now on (once per service and process), and move what the
    process holds by then (its modules, functions, classes: most of a worker's objects) out
    of the collector's sight, so each full collection walks only what was made since. The
    cost: a reference cycle among those frozen objects, dropped later, is never reclaimed;
    they are made once at start-up and live as long as the process."""
    if service in _WATCHED:
        return
    _WATCHED.add(service)
    gc.collect()
    gc.freeze()
    series = [GC_PAUSE.labels(service, str(g)) for g in range(3)]
    started = 0.0

    def timed(phase: str, info: dict[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            series[info["generation"]].observe(time.perf_counter() - started)

    gc.callbacks.append(timed)
