"""kill -9 of the broker with traffic flowing, started again 20 s later (issue 14, item 4).

Every worker recovers by itself (no supervisor restarts anything here: a worker that exits
fails the test), says not-ready on /health during the outage while /live stays up, the alert
API keeps answering from what it holds, and every article the fetcher took is alerted — none
twice beyond what was on the wire (tests/integration/e2e/test_alerting_crash.py bounds that).

The broker is the test's own (own data dir and ports): the test kills it, which must not touch
a broker anyone else uses. A client whose push failed during the outage retries it later, as a
real one would; only pushes answered 2xx count as taken.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.articles import deployment_article, push_body
from tests.support.cluster import Broker, pipeline_workers
from tests.support.http import WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
OUTAGE_S = 20.0
SINK_CONCURRENCY = 8


class Pusher(threading.Thread):
    """Pushes articles one after another at a steady pace; a push that fails is tried again
    after a pause, as a real client would. ``taken`` are the indices answered 2xx."""

    def __init__(self, url: str, first: int, count: int, pace_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.url, self.first, self.count, self.pace_s = url, first, count, pace_s
        self.taken: list[int] = []
        self.failures = 0

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            for index in range(self.first, self.first + self.count):
                body = push_body(deployment_article(index))
                while True:
                    try:
                        if client.post(self.url, json=body).status_code < 300:
                            self.taken.append(index)
                            break
                    except httpx.HTTPError:
                        pass
                    self.failures += 1
                    time.sleep(1.0)
                time.sleep(self.pace_s)


def _status(client: httpx.Client, url: str) -> int:
    try:
        return client.get(url).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.timeout(600)
def test_kill_9_of_the_broker_with_traffic_flowing_loses_nothing_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    broker = Broker.own(tmp_path).start()
    with WebhookReceiver() as webhook:
        workers = pipeline_workers(broker.bootstrap, tmp_path, f"{webhook.url}/hook")
        try:
            workers.start(*SERVICES)
            pusher = Pusher(f"{workers.url('fetcher')}/articles", first=500, count=120)
            pusher.start()
            webhook.wait_for(lambda r: len(r) >= 20, timeout=120)  # traffic is flowing

            broker.kill()
            outage: dict[str, list[int]] = {s: [] for s in SERVICES}
            api: list[int] = []
            deadline = time.monotonic() + OUTAGE_S
            with httpx.Client(timeout=2) as client:
                while time.monotonic() < deadline:
                    for service in SERVICES:
                        assert workers.procs[service].poll() is None, workers.log(service)
                        outage[service].append(_status(client, f"{workers.url(service)}/health"))
                        live = _status(client, f"{workers.url(service)}/live")
                        assert live == 200, f"{service} /live {live}: {workers.log(service)}"
                    api.append(_status(client, f"{workers.api_url}/api/alerts?limit=5"))
                    time.sleep(0.5)
            broker.start()

            not_ready = {s: 503 in codes for s, codes in outage.items()}
            assert all(not_ready.values()), f"/health during the outage: {outage}"
            assert set(api) == {200}, f"the alert API during the outage answered {Counter(api)}"

            for service in SERVICES:  # each recovers by itself, the same process
                workers.wait_healthy(service, timeout=180)
            pusher.join(timeout=240)
            assert not pusher.is_alive(), "pushes did not get through after the outage"
            taken = {tuple(deployment_article(i)[k] for k in ("sender", "recipient"))
                     for i in pusher.taken}
            webhook.wait_for(lambda r: taken <= _pairs(r), timeout=240)
            time.sleep(5)  # let any repeat arrive before counting
            got = webhook.snapshot()
        finally:
            workers.stop_all()
            broker.stop()
    missing = taken - _pairs(got)
    assert not missing, f"{len(missing)} taken articles never alerted (see {tmp_path})"
    keys = Counter(r.headers.get("Idempotency-Key") for r in got)
    repeats = sum(n - 1 for n in keys.values())
    assert repeats <= SINK_CONCURRENCY, f"{repeats} repeated deliveries after the outage"
    print(f"broker outage: {len(pusher.taken)} pushes taken ({pusher.failures} retried), "
          f"{len(keys)} alerts, {repeats} repeated")


def _pairs(received: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    pairs = set()
    for r in received:
        actors = r.body["data"]["event"]["actors"]
        names = {a["role"]: a["code"] for a in actors}
        pairs.add((names.get("sender", ""), names.get("recipient", "")))
    return pairs
