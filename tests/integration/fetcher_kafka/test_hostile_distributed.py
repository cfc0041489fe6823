"""The distributed pipeline over a real Kafka broker, polling every hostile source of issue 11
next to a good one: the good article is alerted, the fetcher keeps running, the bad sources
are counted and backed off, and a restarted fetcher does the same without alerting again."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import pipeline_workers
from tests.support.hostile import FAILING_FEEDS, feeds_yaml, hostile_site
from tests.support.http import StaticSite, WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")


@pytest.fixture
def site() -> Iterator[StaticSite]:
    with hostile_site() as served:
        yield served


def _malformed(metrics_url: str) -> float:
    with urllib.request.urlopen(metrics_url, timeout=5) as resp:
        text = resp.read().decode()
    for line in text.splitlines():
        if line.startswith('frontwire_fetcher_polls_total{outcome="malformed"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_distributed_fetcher_outlives_hostile_sources(
    kafka_bootstrap: str, site: StaticSite, tmp_path: Path,
) -> None:
    feeds = feeds_yaml(site.url, tmp_path / "feeds.yaml")
    with WebhookReceiver() as hook:
        workers = pipeline_workers(kafka_bootstrap, tmp_path, f"{hook.url}/hook", feeds)
        try:
            workers.start(*SERVICES)
            for run in ("first", "restart"):
                metrics = f"{workers.url('fetcher')}/metrics"
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and _malformed(metrics) < len(FAILING_FEEDS):
                    time.sleep(1)
                assert _malformed(metrics) >= len(FAILING_FEEDS), workers.log("fetcher")
                backed_off = workers.log("fetcher", tail=10**7).count("source_backed_off")
                assert backed_off >= len(FAILING_FEEDS) * (1 if run == "first" else 2)
                hook.wait_for(lambda r: len(r) >= 1, timeout=120)
                assert workers.procs["fetcher"].poll() is None, workers.log("fetcher")
                if run == "first":
                    workers.kill("fetcher")  # SIGKILL; the restart polls everything again
                    workers.start("fetcher")
            time.sleep(3)  # a repeat of the good article's alert would arrive meanwhile
            assert len(hook.snapshot()) == 1, [r.body for r in hook.snapshot()]
        finally:
            workers.stop_all()
