"""End-to-end alert latency through the distributed pipeline on a real Kafka broker.

Starts (or reuses) the project's broker, the four workers as processes, and a loopback webhook
receiver; pushes synthetic articles to the fetcher's HTTP endpoint at a steady rate; and measures,
per alert, the time from the fetcher taking the article in (its "fetched" stamp) to the webhook
receiving the alert.

The first ``--warm-up`` seconds of traffic (15 by default) are pushed at the same rate but not
measured: they are printed on their own line. A broker started moments before spends most of a
core for its first ~15 s of traffic compiling its request paths (the JIT), which on a 2-core
machine starves the workers; what follows is the steady state a running system sees. Pass
``--warm-up 0`` to measure from a cold start. Prints percentiles; the last line is
machine-readable:

    latency_ms p50=<x> p95=<y> p99=<z> rate=<r>/s n=<count>
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families

from tests.support.articles import deployment_article, push_body
from tests.support.cluster import Broker, Workers
from tests.support.http import WebhookReceiver


async def push_at_rate(url: str, rate: float, duration: float, first: int = 0) -> int:
    """Push ``rate * duration`` articles, numbered from ``first``; returns how many."""
    total = int(rate * duration)
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=10) as client:
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            body = push_body(deployment_article(first + i))
            resp = await client.post(f"{url}/articles", json=body)
            resp.raise_for_status()
    return total


def alert_latencies(received: list[Any]) -> list[float]:
    """Milliseconds from each alert's article being taken in to the webhook receiving it."""
    return [(r.at - r.body["data"]["stamps"]["fetched"]) * 1000
            for r in received if "data" in r.body]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


HOPS = ("fetched", "cleaned", "enriched", "alerted", "received")
SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system, reaped children included) of every process in group ``pgid``:
    a worker with its parser processes, or the broker."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == pgid:  # fields[0] is field 3 of proc(5): state
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def broker_pgid() -> int | None:
    pidfile = Path(__file__).resolve().parent.parent / "var" / "kafka" / "kafka.pid"
    try:
        return os.getpgid(int(pidfile.read_text().strip()))
    except (OSError, ValueError):
        return None  # an external broker: not ours to measure


def cpu_snapshot(workers: Workers) -> dict[str, float]:
    groups = {s: workers.procs[s].pid for s in SERVICES}
    if (pgid := broker_pgid()) is not None:
        groups["broker"] = pgid
    return {name: cpu_seconds(pgid) for name, pgid in groups.items()}


def print_cpu(before: dict[str, float], after: dict[str, float], articles: int,
              wall_s: float) -> None:
    """Where the machine's CPU went, per article: a tail that grows with the rate on a
    saturated machine is queueing, not one slow hop."""
    for name in before:
        used = after[name] - before[name]
        print(f"  cpu {name:>8}: {1000 * used / articles:6.1f} ms/article, "
              f"{used / wall_s:4.2f} cores")
    total = sum(after.values()) - sum(before.values())
    print(f"  cpu    total: {1000 * total / articles:6.1f} ms/article, {total / wall_s:4.2f} "
          f"cores of {os.cpu_count()}")


def scrape(workers: Workers) -> dict[str, str]:
    """Each worker's /metrics text (a worker that does not answer is left out)."""
    texts = {}
    for service in SERVICES:
        try:
            texts[service] = httpx.get(f"{workers.url(service)}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
    return texts


def print_loop_lag(metrics: dict[str, str]) -> None:
    """Share of each worker's event-loop wake-ups more than 50 ms late (shared/loop_lag.py)."""
    for service, text in metrics.items():
        buckets = {
            float(m.group(1)): float(m.group(2))
            for m in re.finditer(
                r'^frontwire_event_loop_lag_seconds_bucket\{le="([^"]+)",service="[^"]+"\} (\S+)$',
                text, re.M)
        }
        total = buckets.get(float("inf"), 0.0)
        if total:
            late = total - buckets.get(0.05, total)
            print(f"  loop lag {service:>8}: {100 * late / total:5.1f} % of wake-ups > 50 ms "
                  f"({total:.0f} samples)")


def print_gc_pauses(metrics: dict[str, str]) -> None:
    """Each worker's collections of the oldest generation: how many, the time they held it,
    and the bucket the longest fell in (shared/gc_pauses.py)."""
    for service, text in metrics.items():
        full: dict[str, float] = {}
        buckets: list[tuple[float, float]] = []
        for family in text_string_to_metric_families(text):
            if family.name != "frontwire_gc_pause_seconds":
                continue
            for sample in family.samples:
                if sample.labels.get("generation") != "2":
                    continue
                if sample.name.endswith("_bucket"):
                    buckets.append((float(sample.labels["le"]), sample.value))
                else:
                    full[sample.name.rsplit("_", 1)[1]] = sample.value
        if "count" not in full:
            continue
        worst = min((le for le, n in buckets if n >= full["count"]), default=float("inf"))
        print(f"  gc pauses {service:>8}: {full['count']:.0f} full collections, "
              f"{1000 * full.get('sum', 0.0):.0f} ms in all, each <= {1000 * worst:.0f} ms")


def print_hops(stamps: list[dict[str, float]]) -> None:
    """Median and p99 of each hop, from the stamps the records carry."""
    for start, end in itertools.pairwise(HOPS):
        spans = [(s[end] - s[start]) * 1000 for s in stamps if start in s and end in s]
        if spans:
            print(
                f"  {start:>8} -> {end:<8} p50={percentile(spans, 50):8.1f} ms"
                f"  p99={percentile(spans, 99):8.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="articles per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of pushing")
    parser.add_argument("--warm-up", type=float, default=15.0,
                        help="seconds of traffic at the same rate before measuring")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--dump", type=Path, help="write each alert's stamps here (JSONL)")
    args = parser.parse_args()

    broker = Broker().start()
    workdir = Path(tempfile.mkdtemp(prefix="frontwire-bench-"))
    feeds = workdir / "feeds.yaml"
    feeds.write_text("sources: []\n")
    try:
        with WebhookReceiver() as hook:
            workers = Workers(
                broker.bootstrap,
                workdir,
                env_extra={
                    "FRONTWIRE_WEBHOOK_URL": f"{hook.url}/hook",
                    "FRONTWIRE_FEEDS_FILE": str(feeds),
                    "FRONTWIRE_PARTITIONS": str(args.partitions),
                    "FRONTWIRE_LOG_LEVEL": "WARNING",
                },
            )
            try:
                workers.start(*SERVICES)
                warm = asyncio.run(push_at_rate(workers.url("fetcher"), args.rate, args.warm_up))
                warmed = hook.wait_for(lambda r: len(r) >= warm, timeout=120)[:warm]
                before, started = cpu_snapshot(workers), time.monotonic()
                sent = asyncio.run(push_at_rate(workers.url("fetcher"), args.rate, args.duration,
                                                first=warm))
                got = hook.wait_for(lambda r: len(r) >= warm + sent, timeout=120)[warm:]
                print_cpu(before, cpu_snapshot(workers), sent, time.monotonic() - started)
                metrics = scrape(workers)
                print_loop_lag(metrics)
                print_gc_pauses(metrics)
            finally:
                workers.stop_all()
    finally:
        broker.stop()
    latencies = alert_latencies(got)
    if not latencies:
        raise SystemExit("no alert arrived: see the worker logs in " + str(workdir))
    if warmed_up := alert_latencies(warmed):
        print(f"warm-up: {warm} articles in {args.warm_up:g}s, not measured: "
              f"p50={percentile(warmed_up, 50):.1f} p99={percentile(warmed_up, 99):.1f} ms")
    print(f"pushed {sent} articles at {args.rate:g}/s for {args.duration:g}s; {len(got)} alerts")
    print(f"mean {statistics.fmean(latencies):.1f} ms, max {max(latencies):.1f} ms")
    stamps = [r.body["data"]["stamps"] | {"received": r.at} for r in got if "data" in r.body]
    print_hops(stamps)
    if args.dump:
        args.dump.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in stamps))
    print(
        f"latency_ms p50={percentile(latencies, 50):.1f} p95={percentile(latencies, 95):.1f} "
        f"p99={percentile(latencies, 99):.1f} rate={args.rate:g}/s n={len(latencies)}"
    )


if __name__ == "__main__":
    main()
