"""How late each worker's event loop runs: a sleeper that notes how much longer than asked it
slept. Everything a worker does shares that loop (consuming, committing, heartbeats to the
HTTP probes, delivering), so lag is time some callback held it: the first place to look when
the latency tail grows (bench/latency.py prints it per worker)."""

from __future__ import annotations

import asyncio

from prometheus_client import Histogram

LOOP_LAG = Histogram(
    "frontwire_event_loop_lag_seconds",
    "How much later than asked the worker's event loop woke a sleeping task",
    ["service"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
INTERVAL_S = 0.25


async def watch_loop_lag(service: str, interval_s: float = INTERVAL_S) -> None:
    loop = asyncio.get_running_loop()
    lag = LOOP_LAG.labels(service)
    while True:
        started = loop.time()
        await asyncio.sleep(interval_s)
        lag.observe(max(0.0, loop.time() - started - interval_s))
