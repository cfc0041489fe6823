"""Each Kafka stage's saturation rate with 1 and 2 instances: does a stage scale by partitions?

For each service that consumes a topic (cleaner, enricher, alerting), on a real broker: start
``n`` instances of its worker on a fresh topic prefix, wait until they are all ready and the
group has settled, put a backlog of ``--articles`` input records on its input topic at once
(records made in process by the stages upstream, from the synthetic articles the latency
bench pushes), and time its output: the rate is outputs per second between the first and the
last output record (their timestamps), leaving out the first tenth as warm-up. Prints

    throughput stage=<s> instances=<n> articles_per_s=<x>

per run, with the cores each party used meanwhile (the instances, the broker, the bench with
its webhook receiver), then ``scale ratio=<r>`` (2-instance rate / 1-instance rate) for the
stage slowest with one instance. On this 2-core machine the broker, the bench and the
instances share the cores: a ratio near 2 needs a stage bound by one core of its own, with the
broker's and the bench's share of the work small beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.latency import broker_pgid, cpu_seconds, print_cpu
from services.bootstrap import bootstrap
from services.fetcher.intake import pushed
from services.flow import partition_key
from services.runtimes.inprocess import InProcessRuntime
from shared.codec import encode
from shared.settings import Settings, load_settings
from tests.support.articles import deployment_article, push_body
from tests.support.cluster import Broker, Workers
from tests.support.http import WebhookReceiver

# service -> (its input topic, the topic its last stage writes), logical names
STAGES = {
    "cleaner": ("articles.raw", "articles.clean"),
    "enricher": ("articles.clean", "articles.enriched"),
    "alerting": ("articles.enriched", "alerts"),
}


def inputs(count: int) -> dict[str, list[Any]]:
    """Each service's input records for ``count`` articles, made by the stages upstream."""
    settings = load_settings()
    built = bootstrap(settings, InProcessRuntime(persistent=False),
                      services=("cleaner", "enricher"), warm=True)
    clean, enrich = built.handlers["clean"], built.handlers["enrich"]
    now = time.time()
    raws = [pushed(orjson.dumps(push_body(deployment_article(i))), "application/json")
            for i in range(count)]
    cleaned = [c for raw in raws for c in clean(raw, now)]
    enriched = [e for c in cleaned for e in enrich(c, now)]
    return {"cleaner": raws, "enricher": cleaned, "alerting": enriched}


async def produce(bootstrap_servers: str, topic: str, records: Sequence[Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        sent = [await producer.send(topic, encode(r), key=partition_key(r).encode())
                for r in records]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def output_rate(
    bootstrap_servers: str, source: str, records: Sequence[Any], topic: str, timeout: float
) -> tuple[int, float]:
    """Put ``records`` on ``source``, then read ``topic`` until as many outputs came (or the
    timeout): how many came and their rate between the first and the last."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    stamps: list[int] = []
    try:
        await produce(bootstrap_servers, source, records)
        deadline = time.monotonic() + timeout
        while len(stamps) < len(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            stamps += [m.timestamp for part in batch.values() for m in part]
    finally:
        await consumer.stop()
    # The first tenth is warm-up (connections, caches, the parser's first batches): the rate
    # is taken over the rest, the stage's steady state under a backlog.
    stamps.sort()
    steady = stamps[len(stamps) // 10:]
    if len(steady) < 2:
        return len(stamps), 0.0
    span_s = (steady[-1] - steady[0]) / 1000
    return len(stamps), (len(steady) - 1) / span_s if span_s > 0 else float("inf")


def run_stage(
    broker: Broker, service: str, instances: int, records: Sequence[Any], webhook: str,
    partitions: int, timeout: float,
) -> float:
    workdir = Path(tempfile.mkdtemp(prefix=f"frontwire-throughput-{service}-"))
    feeds = workdir / "feeds.yaml"
    feeds.write_text("sources: []\n")
    env = {"FRONTWIRE_WEBHOOK_URL": webhook, "FRONTWIRE_FEEDS_FILE": str(feeds),
           "FRONTWIRE_PARTITIONS": str(partitions), "FRONTWIRE_LOG_LEVEL": "WARNING"}
    first = Workers(broker.bootstrap, workdir / "0", env_extra=env)
    sets = [first] + [Workers(broker.bootstrap, workdir / str(n), env_extra=env,
                              prefix=first.prefix) for n in range(1, instances)]
    for workers in sets:
        workers.workdir.mkdir(parents=True)
    settings: Settings = load_settings(topic_prefix=first.prefix)
    source, sink = (settings.topic(name) for name in STAGES[service])
    try:
        for workers in sets:
            workers.start(service)
        time.sleep(5)  # the group settles: every instance holds its partitions
        groups = {f"{service}#{n}": w.procs[service].pid for n, w in enumerate(sets)}
        if (pgid := broker_pgid()) is not None:
            groups["broker"] = pgid
        before, wall = _cpu(groups), time.monotonic()
        got, rate = asyncio.run(output_rate(broker.bootstrap, source, records, sink, timeout))
        print_cpu(before, _cpu(groups), max(got, 1), time.monotonic() - wall)
    finally:
        for workers in sets:
            workers.stop_all()
    if got < len(records):
        print(f"  warning: {service} x{instances}: {got}/{len(records)} outputs in {timeout:g}s"
              f" (logs in {workdir})")
    return rate


def _cpu(groups: dict[str, int]) -> dict[str, float]:
    times = os.times()  # this process: the producer, the consumer and the webhook receiver
    return {**{name: cpu_seconds(pgid) for name, pgid in groups.items()},
            "bench": times.user + times.system}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="input records per run")
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=list(STAGES))
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    args = parser.parse_args()

    records = inputs(args.articles)
    broker = Broker().start()
    rates: dict[tuple[str, int], float] = {}
    try:
        with WebhookReceiver() as hook:
            for service in args.stages:
                for instances in (1, 2):
                    rate = run_stage(broker, service, instances, records[service],
                                     f"{hook.url}/hook", args.partitions, args.timeout)
                    rates[service, instances] = rate
                    print(f"throughput stage={service} instances={instances} "
                          f"articles_per_s={rate:.1f}", flush=True)
    finally:
        broker.stop()
    slowest = min(args.stages, key=lambda s: rates[s, 1])
    ratio = rates[slowest, 2] / rates[slowest, 1] if rates[slowest, 1] else 0.0
    print(f"scale ratio={ratio:.2f} stage={slowest}")


if __name__ == "__main__":
    main()
