"""Alert grouping with the four workers over Kafka: corroboration updates one alert, and a
rule's group_wait folds near-simultaneous outlets into one delivery (the faust timer -> keyed
Tick on alerts.candidates -> decide stage path, services/runtimes/kafka.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.articles import outlet_reports, push_body
from tests.support.cluster import pipeline_workers
from tests.support.http import Received, WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
GROUP_WAIT_S = 10  # wide enough for three pushes to cross the pipeline on a loaded CI machine
RULES = f"""\
version: 1
rules:
  - name: every-report
    severity: critical
    match: {{event_types: [troop_deployment], countries: [DE]}}
    routes: [webhook]
  - name: folded
    severity: warning
    group_wait: {GROUP_WAIT_S}s
    match: {{event_types: [troop_deployment], countries: [CA]}}
    routes: [webhook]
"""
UPDATED = outlet_reports(5)  # North Korea -> Germany, three outlets, pushed one at a time
FOLDED = outlet_reports(40)  # North Korea -> Canada, three outlets, pushed together


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _of(rule: str, received: list[Received]) -> list[dict]:
    return [r.body["data"] for r in received if r.body["data"]["rule"] == rule]


def test_three_outlets_update_one_alert_and_group_wait_folds_them(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    workers = pipeline_workers(kafka_bootstrap, tmp_path, f"{webhook.url}/hook", rules=rules)
    try:
        workers.start(*SERVICES)
        with httpx.Client(timeout=10) as client:
            push = f"{workers.url('fetcher')}/articles"
            for n, article in enumerate(UPDATED, start=1):
                client.post(push, json=push_body(article)).raise_for_status()
                webhook.wait_for(lambda r, n=n: len(_of("every-report", r)) >= n, timeout=90)
            pushed_at = time.monotonic()
            for article in FOLDED:
                client.post(push, json=push_body(article)).raise_for_status()
        webhook.wait_for(lambda r: _of("folded", r), timeout=GROUP_WAIT_S + 60)
        # group_wait runs from the first report, so its one delivery is due by now; any
        # second version would mean a report missed the fold.
        time.sleep(max(0.0, pushed_at + GROUP_WAIT_S + 5 - time.monotonic()))
        got = webhook.snapshot()
    finally:
        workers.stop_all()

    updated = _of("every-report", got)
    assert len({a["alert_id"] for a in updated}) == 1, updated
    assert [a["version"] for a in updated] == [1, 2, 3]
    assert [len(a["sources"]) for a in updated] == [1, 2, 3]
    assert {s["url"] for s in updated[-1]["sources"]} == {a["url"] for a in UPDATED}

    folded = _of("folded", got)
    assert [a["version"] for a in folded] == [1], folded
    assert {s["url"] for s in folded[0]["sources"]} == {a["url"] for a in FOLDED}
