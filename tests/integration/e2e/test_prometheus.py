"""A real Prometheus scrapes the four workers; the metrics a dashboard needs are there."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.deploy._support import DASHBOARD
from tests.support.articles import deployment_article, push_body
from tests.support.cluster import free_port, pipeline_workers
from tests.support.http import WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
PROMETHEUS = shutil.which("prometheus")


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _start_prometheus(workdir: Path, targets: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    config = workdir / "prometheus.yml"
    listed = ", ".join(f"'{t}'" for t in targets)
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"scrape_configs:\n  - job_name: frontwire\n    static_configs: [{{targets: [{listed}]}}]\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(PROMETHEUS),
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=(workdir / "prometheus.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def _query(client: httpx.Client, prometheus: str, promql: str) -> list[dict]:
    try:
        resp = client.get(f"{prometheus}/api/v1/query", params={"query": promql})
    except httpx.TransportError:
        return []  # not listening yet
    return resp.json()["data"]["result"] if resp.status_code == 200 else []


def _wait_query(
    client: httpx.Client,
    prometheus: str,
    promql: str,
    timeout: float = 60,
    done: Callable[[list[dict]], bool] = bool,
) -> list:
    deadline = time.monotonic() + timeout
    result: list[dict] = []
    while time.monotonic() < deadline:
        result = _query(client, prometheus, promql)
        if done(result):
            break
        time.sleep(0.5)
    return result


def _gc_panel_queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    (panel,) = [p for p in panels if p["title"].startswith("GC pause")]
    return [t["expr"] for t in panel["targets"]]


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus (Debian package) is not installed")
def test_prometheus_scrapes_stage_and_latency_metrics(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    workers = pipeline_workers(kafka_bootstrap, tmp_path, f"{webhook.url}/hook")
    prometheus = None
    try:
        workers.start(*SERVICES)
        article = deployment_article(5)
        with httpx.Client(timeout=10) as client:
            url = f"{workers.url('fetcher')}/articles"
            client.post(url, json=push_body(article)).raise_for_status()
            assert webhook.wait_for(lambda r: len(r) >= 1, timeout=120)
            targets = [f"127.0.0.1:{workers.ports[s]}" for s in SERVICES]
            prometheus, url = _start_prometheus(tmp_path, targets)
            up = _wait_query(client, url, 'count(up{job="frontwire"} == 1) == 4')
            e2e = _wait_query(client, url, "sum(frontwire_end_to_end_latency_seconds_count) > 0")
            stages = _wait_query(
                client, url, "count(sum by (stage) (frontwire_messages_in_total)) >= 4"
            )
            p99 = _wait_query(
                client,
                url,
                "histogram_quantile(0.99, sum by (le) "
                "(frontwire_end_to_end_latency_seconds_bucket))",
            )
            gc_workers = _wait_query(
                client, url, "count(sum by (service) (frontwire_gc_pause_seconds_count)) >= 4"
            )
            pause_query, share_query = _gc_panel_queries()
            pauses = _wait_query(client, url, pause_query)
            # Each target is scraped on its own clock: a rate has a value once it has two.
            share = _wait_query(client, url, share_query, done=lambda r: len(r) >= 4)
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(timeout=30)
        workers.stop_all()
    assert up, "Prometheus did not see all four workers up"
    assert e2e, "no end-to-end latency observation was scraped"
    assert stages, "fewer than four stages report frontwire_messages_in_total"
    assert p99 and float(p99[0]["value"][1]) > 0
    assert gc_workers, "fewer than four workers report frontwire_gc_pause_seconds"
    # The dashboard's GC panel, as Grafana would ask it: each query answers, per worker. The
    # values may be 0 or NaN (no collection between two scrapes of an idle worker), so the
    # test asks only that the series are there.
    assert pauses, "the GC panel's pause query answered nothing"
    assert {s["metric"]["service"] for s in share} == set(SERVICES), share
