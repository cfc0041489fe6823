"""Rule reload in a running alerting worker over Kafka: SIGHUP swaps in a good rule file, keeps
the old rules when the new file is broken, and never re-judges what was already matched."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.articles import PAIRS, deployment_article, push_body
from tests.support.cluster import Workers, pipeline_workers
from tests.support.http import WebhookReceiver
from tests.unit.alerting.test_hostile_rule_files import alias_bomb

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
RULE = """\
  - name: watch-{name}
    severity: critical
    match: {{event_types: [troop_deployment], countries: [{code}]}}
    routes: [webhook]
"""
TO_GERMANY = [i for i, (_, to) in enumerate(PAIRS) if to == "Germany"]
BEFORE, AFTER = deployment_article(TO_GERMANY[0]), deployment_article(TO_GERMANY[1])


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _write_rules(path: Path, *codes: str, broken: bool = False) -> None:
    body = "version: 1\nrules:\n" + "".join(RULE.format(code=c, name=c.lower()) for c in codes)
    _write_text(path, body + ("    colour: blue\n" if broken else ""))


def _write_text(path: Path, text: str) -> None:
    """Rewrite the file but keep its modification time: only SIGHUP can make it count."""
    stamp = path.stat().st_mtime_ns if path.exists() else None
    path.write_text(text)
    if stamp is not None:
        os.utime(path, ns=(stamp, stamp))


def _matched(workers: Workers) -> float:
    metrics = httpx.get(f"{workers.url('alerting')}/metrics", timeout=5).text
    found = re.search(r'frontwire_messages_in_total\{stage="alerting.match"\} (\S+)', metrics)
    return float(found.group(1)) if found else 0.0


def _hup_and_wait(workers: Workers, event: str, seen: int) -> None:
    os.kill(workers.procs["alerting"].pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while workers.log("alerting", tail=1_000_000).count(f'"{event}"') <= seen:
        assert time.monotonic() < deadline, f"no {event} after SIGHUP"
        time.sleep(0.2)


def test_sighup_reloads_rules_and_keeps_them_through_a_broken_file(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    rules = tmp_path / "rules.yaml"
    _write_rules(rules, "FR")
    workers = pipeline_workers(kafka_bootstrap, tmp_path, f"{webhook.url}/hook", rules=rules)
    try:
        workers.start(*SERVICES)
        with httpx.Client(timeout=10) as client:
            push = f"{workers.url('fetcher')}/articles"
            client.post(push, json=push_body(BEFORE)).raise_for_status()
            deadline = time.monotonic() + 90
            while _matched(workers) < 1:  # judged under the first rules: no rule for Germany
                assert time.monotonic() < deadline, "the first article never reached alerting"
                time.sleep(0.3)

            _write_rules(rules, "FR", "DE", broken=True)
            _hup_and_wait(workers, "rules_reload_failed", seen=0)
            # A YAML alias bomb and a self-referencing alias: refused, the worker lives on.
            _write_text(rules, alias_bomb())
            _hup_and_wait(workers, "rules_reload_failed", seen=1)
            _write_text(rules, "version: 1\nrules: &r\n  - *r\n")
            _hup_and_wait(workers, "rules_reload_failed", seen=2)
            assert workers.procs["alerting"].poll() is None, workers.log("alerting")
            _write_rules(rules, "FR", "DE")
            _hup_and_wait(workers, "rules_reloaded", seen=0)

            client.post(push, json=push_body(AFTER)).raise_for_status()
            got = webhook.wait_for(lambda r: len(r) >= 1, timeout=90)
            time.sleep(2)  # a late alert for the first article would show up by now
            got = webhook.snapshot()
        log = workers.log("alerting", tail=1_000_000)
    finally:
        workers.stop_all()
    assert f"{rules}:" in log and "colour" in log  # the refused file named, with its field
    assert "alias bomb" in log and "recursive alias" in log
    senders = [
        next(a["code"] for a in r.body["data"]["event"]["actors"] if a["role"] == "sender")
        for r in got
    ]
    assert senders == [AFTER["sender"]], [r.body["data"]["summary"] for r in got]
    assert all(r.body["data"]["rule"] == "watch-de" for r in got)
