"""Liveness and readiness of a real worker over a real broker (issue 14, items 4 and 6).

``/live`` is 200 whenever the worker's event loop answers and its app has not crashed;
``/health`` (also ``/ready``) is 200 only when it can take messages. So during start-up and
with the broker gone the worker is live but not ready, and an orchestrator that restarts on
liveness leaves it alone; it is ready again by itself once the broker is back. The broker here
is the test's own (own data dir and ports): this test stops it, which must not touch a broker
anyone else uses."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.cluster import Broker, Workers

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICE = "cleaner"


def _codes(client: httpx.Client, base: str) -> tuple[int, int, int]:
    """HTTP status of /live, /health and /ready (0: nothing answers)."""
    codes = []
    for path in ("/live", "/health", "/ready"):
        try:
            codes.append(client.get(base + path).status_code)
        except httpx.HTTPError:
            codes.append(0)
    return codes[0], codes[1], codes[2]


@pytest.mark.timeout(300)
def test_a_worker_is_live_but_not_ready_while_starting_and_without_its_broker(
    tmp_path: Path,
) -> None:
    broker = Broker.own(tmp_path).start()
    workers = Workers(broker.bootstrap, tmp_path)
    try:
        workers.launch(SERVICE)
        base = workers.url(SERVICE)
        starting: list[tuple[int, int, int]] = []
        with httpx.Client(timeout=2) as client:
            # Start-up: from the first answer until ready.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                assert workers.procs[SERVICE].poll() is None, workers.log(SERVICE)
                codes = _codes(client, base)
                if codes[0]:
                    starting.append(codes)
                if codes[1] == 200:
                    break
                time.sleep(0.02)
            else:
                log = workers.log(SERVICE)
                pytest.fail(f"{SERVICE} not ready in 120 s: {starting[-5:]}\n{log}")
            assert (200, 503, 503) in starting, starting  # live, not yet ready
            assert all(live == 200 for live, _, _ in starting), starting
            # /health and /ready agree, but for a sample taken across the moment it became
            # ready (/health still 503, /ready just after 200), the one before the last.
            mixed = [i for i, (_, health, ready) in enumerate(starting) if health != ready]
            assert all(starting[i][1:] == (503, 200) and i == len(starting) - 2
                       for i in mixed), starting

            # The broker goes away: the worker waits, live all along, and never crashes.
            broker.stop()
            outage: list[tuple[int, int, int]] = []
            deadline = time.monotonic() + 25
            while time.monotonic() < deadline:
                assert workers.procs[SERVICE].poll() is None, workers.log(SERVICE)
                outage.append(_codes(client, base))
                time.sleep(0.25)
            assert all(live == 200 for live, _, _ in outage), outage
            assert client.get(base + "/live").json() == {
                "service": SERVICE, "live": True, "crashed": False, "crash_reason": None,
            }
            # Readiness says so: the broker watch finds it gone within seconds.
            assert outage[-1][1] == 503, outage
            assert client.get(base + "/health").json()["broker_reachable"] is False

            # The broker comes back: the same worker is ready again by itself.
            broker.start()
            workers.wait_healthy(SERVICE, timeout=120)
            assert workers.procs[SERVICE].poll() is None
    finally:
        workers.stop_all()
        broker.stop()


@pytest.mark.timeout(300)
def test_a_worker_started_before_its_broker_waits_says_so_and_then_starts(
    tmp_path: Path,
) -> None:
    broker = Broker.own(tmp_path)
    workers = Workers(broker.address, tmp_path)  # nothing listens there yet
    try:
        workers.launch(SERVICE)
        deadline = time.monotonic() + 60
        while "broker_unavailable" not in workers.log(SERVICE) and time.monotonic() < deadline:
            assert workers.procs[SERVICE].poll() is None, workers.log(SERVICE)
            time.sleep(0.2)
        assert "broker_unavailable" in workers.log(SERVICE), workers.log(SERVICE)
        time.sleep(3)
        assert workers.procs[SERVICE].poll() is None, workers.log(SERVICE)  # still waiting
        broker.start()
        workers.wait_healthy(SERVICE, timeout=150)  # started by itself once the broker answered
    finally:
        workers.stop_all()
        broker.stop()
