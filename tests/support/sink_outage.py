"""A webhook sink down for a while under the distributed pipeline: first refusing connections
(nothing listens on its port), then up but answering 503, then well. Shared by the integration
test (a short outage) and ``python -m bench.sink_outage`` (five minutes, issue 14 item 5).

While the sink is down the pipeline keeps taking articles; the alerting worker's outbox holds
what it cannot deliver, which its metrics show (queue depth, retries) and its memory bounds.
Once the sink is back, every alert version must arrive once, and per alert in version order.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.articles import outlet_reports, push_body
from tests.support.cluster import free_port, pipeline_workers
from tests.support.http import Received, WebhookReceiver

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
SINK = "webhook"


@dataclass
class OutageReport:
    pushed: int = 0
    received: list[Received] = field(default_factory=list)
    refused_503: int = 0
    queue_depth_max: float = 0.0
    retries: float = 0.0
    rss_mb: list[float] = field(default_factory=list)  # alerting worker, sampled over the run
    recovered_s: float = 0.0  # from the sink answering 200 to the last alert arriving

    @property
    def keys(self) -> Counter[str | None]:
        return Counter(r.headers.get("Idempotency-Key") for r in self.received)

    def out_of_order(self) -> list[tuple[str, list[int]]]:
        """Alerts whose versions did not arrive in increasing order."""
        versions: dict[str, list[int]] = {}
        for r in self.received:
            versions.setdefault(r.body["subject"], []).append(int(r.body["data"]["version"]))
        return [(a, v) for a, v in versions.items() if v != sorted(v)]

    def summary(self) -> str:
        keys = self.keys
        rss = f"{min(self.rss_mb):.0f}-{max(self.rss_mb):.0f}" if self.rss_mb else "?"
        return (f"pushed={self.pushed} alerts={len(keys)} "
                f"repeated={sum(n - 1 for n in keys.values())} "
                f"out_of_order={len(self.out_of_order())} refused_503={self.refused_503} "
                f"queue_depth_max={self.queue_depth_max:.0f} retries={self.retries:.0f} "
                f"alerting_rss_mb={rss} recovered_s={self.recovered_s:.1f}")


def _metric(text: str, name: str) -> float:
    found = re.search(rf'^{name}{{sink="{SINK}"}} ([0-9.e+-]+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


def run_outage(
    bootstrap: str, workdir: Path, *, refuse_s: float, unavailable_s: float, events: int,
    wait_s: float = 300.0,
) -> OutageReport:
    """Push ``events`` events (three outlets' reports each: versions of one alert) while the
    sink refuses for ``refuse_s``, answer 503 for ``unavailable_s``, then 200; return what
    arrived once everything expected did (or ``wait_s`` after the sink is back)."""
    port = free_port()
    workers = pipeline_workers(bootstrap, workdir, f"http://127.0.0.1:{port}/hook")
    report = OutageReport()
    try:
        workers.start(*SERVICES)
        pid = workers.procs["alerting"].pid
        with httpx.Client(timeout=10) as client:
            down_until = time.monotonic() + refuse_s
            reports = [r for i in range(events) for r in outlet_reports(700 + i)]
            pace = refuse_s / max(1, len(reports)) / 2  # all pushed in the first half
            for article in reports:
                client.post(f"{workers.url('fetcher')}/articles",
                            json=push_body(article)).raise_for_status()
                report.pushed += 1
                time.sleep(pace)
            while time.monotonic() < down_until:
                _sample(client, workers.url("alerting"), pid, report)
                time.sleep(1.0)
            with WebhookReceiver(port=port, status=503) as sink:
                up_at = time.monotonic() + unavailable_s
                while time.monotonic() < up_at:
                    _sample(client, workers.url("alerting"), pid, report)
                    time.sleep(1.0)
                sink.status = 200
                back = time.time()
                sink.wait_for(lambda got: len({r.body["subject"] for r in got}) >= events,
                              wait_s)
                _settle(client, workers.url("alerting"), sink, pid, report)
                report.received, report.refused_503 = sink.snapshot(), sink.refused
                report.recovered_s = max((r.at for r in report.received), default=back) - back
    finally:
        workers.stop_all()
    return report


def _settle(client: httpx.Client, base: str, sink: WebhookReceiver, pid: int,
            report: OutageReport, quiet_s: float = 5.0, limit_s: float = 120.0) -> None:
    """Until the outbox is empty and nothing arrived for ``quiet_s``: later versions and any
    repeat are counted too."""
    deadline = time.monotonic() + limit_s
    last, since = len(sink.snapshot()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        depth = _sample(client, base, pid, report)
        count = len(sink.snapshot())
        if count != last or depth:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return


def _sample(client: httpx.Client, base: str, pid: int, report: OutageReport) -> float:
    """Queue depth, retries and memory of the alerting worker now; returns the depth."""
    try:
        text = client.get(f"{base}/metrics").text
    except httpx.HTTPError:
        return 0.0
    depth = _metric(text, "frontwire_delivery_queue_depth")
    report.queue_depth_max = max(report.queue_depth_max, depth)
    report.retries = max(report.retries, _metric(text, "frontwire_delivery_retries_total"))
    report.rss_mb.append(_rss_mb(pid))
    return depth
