"""A webhook down (refusing, then 503) under the distributed pipeline: everything arrives once
when it is back, per alert in version order, and the outbox's metrics showed the backlog
(issue 14, item 5). The five-minute version is a benchmark: ``python -m bench.sink_outage``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sink_outage import run_outage

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 6


@pytest.mark.timeout(420)
def test_a_sink_down_then_back_gets_every_alert_once_in_order(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    report = run_outage(kafka_bootstrap, tmp_path, refuse_s=8, unavailable_s=6, events=EVENTS)
    print(report.summary())
    keys = report.keys
    assert len({r.body["subject"] for r in report.received}) == EVENTS, report.summary()
    assert all(n == 1 for n in keys.values()), f"repeated: {report.summary()}"
    assert not report.out_of_order(), report.out_of_order()
    assert report.queue_depth_max > 0, "the outbox backlog never showed in the metrics"
    assert report.retries > 0, "no retry counted while the sink was down"
    assert report.refused_503 > 0, "the 503 phase was never reached by a delivery"
