"""How long a restarted alerting worker takes to be ready after many alerts.

Distributed mode (default): starts (or reuses) the project's Kafka broker and one alerting
worker (a process, as deployed), feeds it ``--alerts`` candidates of distinct events (each one
a new group, an alert and a delivery record in its changelogged tables), waits until every
alert reached the JSONL sink, stops the worker, queues one more candidate, starts the worker
again and measures, from the restart:

* ``health_s``: until its ``/health`` answers;
* ``ready_s``: until the queued candidate's alert is delivered, i.e. the worker has restored
  its tables from the changelogs and is processing again.

Embedded mode (``--mode embedded``): fills the SQLite state files with as many groups, delivery
records and history entries through the real stores, then measures opening them again (the
start-up checks included) and one retention pass.

The last line is machine-readable:

    alerting_restart mode=distributed table_store=<s> alerts=<n> ready_s=<x> health_s=<y>
    alerting_restart mode=embedded alerts=<n> ready_s=<x> open_s=<y>

Run: ``make bench-restart ARGS="--alerts 100000"`` (Kafka: ``KAFKA_PORT`` as for the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaProducer

from shared.codec import encode
from shared.records import AlertCandidate
from shared.settings import load_settings
from tests.support.cluster import Broker, Workers
from tests.unit.alerting.builders import article, enriched, troops

RULES = """\
version: 1
rules:
  - name: bench
    description: every troop deployment, at once, to the JSONL sink
    severity: warning
    match:
      event_types: [troop_deployment]
    routes: [jsonl]
"""


def candidate(n: int | str) -> AlertCandidate:
    group_key = f"bench:{n}"
    event = troops(signature=f"sig-bench-{n}")
    number = n if isinstance(n, int) else 10**9
    return AlertCandidate("bench", group_key, 0, enriched(event, art=article(number)))


async def produce(bootstrap: str, topic: str, keys: list[int | str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all")
    await producer.start()
    try:
        pending = []
        for n in keys:
            c = candidate(n)
            pending.append(await producer.send(topic, encode(c), key=c.group_key.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def wait_until(check: object, timeout: float, what: str, workers: Workers) -> float:
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise SystemExit(f"timed out waiting for {what}:\n{workers.log('alerting')}")
        time.sleep(0.05)
    return time.monotonic() - started


def distributed(
    alerts: int, partitions: int, log_level: str, table_store: str
) -> tuple[float, float]:
    broker = Broker().start()
    workdir = Path(tempfile.mkdtemp(prefix="frontwire-bench-restart-"))
    rules, sink = workdir / "rules.yaml", workdir / "alerts.jsonl"
    rules.write_text(RULES)
    workers = Workers(
        broker.bootstrap, workdir,
        env_extra={
            "FRONTWIRE_RULES_FILES": f'["{rules}"]',
            "FRONTWIRE_JSONL_SINK_PATH": str(sink),
            "FRONTWIRE_PARTITIONS": str(partitions),
            "FRONTWIRE_LOG_LEVEL": log_level,
            "FRONTWIRE_TABLE_STORE": table_store,
        },
    )
    topic = f"{workers.prefix}.alerts.candidates"
    try:
        workers.start("alerting")
        started = time.monotonic()
        asyncio.run(produce(broker.bootstrap, topic, list(range(alerts))))
        fill_s = wait_until(lambda: lines(sink) >= alerts, 3600, f"{alerts} alerts", workers)
        print(f"{alerts} alerts delivered in {time.monotonic() - started:.1f} s "
              f"(the last {fill_s:.1f} s after producing)")
        workers.kill("alerting", signal.SIGTERM)
        asyncio.run(produce(broker.bootstrap, topic, ["probe"]))
        restarted = time.monotonic()
        workers.start("alerting")
        health_s = time.monotonic() - restarted
        wait_until(lambda: b'"bench:probe"' in sink.read_bytes()[-20000:], 600, "the probe",
                   workers)
        ready_s = time.monotonic() - restarted
        print(f"worker log: {workdir / 'alerting.log'}")
    finally:
        workers.stop_all()
        broker.stop()
    return ready_s, health_s


def embedded(alerts: int) -> tuple[float, float]:
    from services.alerting.delivery import SqliteDeliveryLog
    from services.alerting.grouping import SqliteGroupStore, decide
    from services.alerting.history import SqliteAlertHistory
    from services.alerting.rules import RuleSet
    from services.stages import candidate_from_wire

    workdir = Path(tempfile.mkdtemp(prefix="frontwire-bench-restart-"))
    rules_file = workdir / "rules.yaml"
    rules_file.write_text(RULES)
    rules = RuleSet.load(rules_file)
    groups = SqliteGroupStore(workdir / "alert-groups.sqlite")
    deliveries = SqliteDeliveryLog(workdir / "deliveries.sqlite")
    history = SqliteAlertHistory(workdir / "alert-history.sqlite")
    now = time.time()
    for n in range(alerts):
        decision = decide(candidate_from_wire(rules, candidate(n)), groups, now)
        assert decision.alert is not None
        deliveries.record(f"{decision.alert.alert_id}:1", "jsonl")
        history.add(decision.alert, now)
    for store in (groups, deliveries, history):
        store.close()
    started = time.monotonic()
    groups = SqliteGroupStore(workdir / "alert-groups.sqlite")
    deliveries = SqliteDeliveryLog(workdir / "deliveries.sqlite")
    history = SqliteAlertHistory(workdir / "alert-history.sqlite")
    opened_s = time.monotonic() - started
    groups.prune(30 * 86400, time.time())
    deliveries.prune(30 * 86400, time.time())
    ready_s = time.monotonic() - started
    print(f"{len(groups)} groups, {len(deliveries)} delivery records, {len(history)} in history")
    return ready_s, opened_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--mode", choices=["distributed", "embedded"], default="distributed")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--log-level", default="WARNING", help="the worker's (see its log)")
    parser.add_argument("--table-store", choices=["memory", "rocksdb"], default=None,
                        help="FRONTWIRE_TABLE_STORE for the worker (default: the setting's)")
    args = parser.parse_args()
    if args.mode == "distributed":
        store = args.table_store or load_settings().table_store
        ready_s, health_s = distributed(args.alerts, args.partitions, args.log_level, store)
    else:
        ready_s, health_s = embedded(args.alerts)
    if args.mode == "distributed":
        print(f"alerting_restart mode=distributed table_store={store} alerts={args.alerts} "
              f"ready_s={ready_s:.2f} health_s={health_s:.2f}")
    else:  # no /health: the stores' opening (checks included), then with a retention pass
        print(f"alerting_restart mode=embedded alerts={args.alerts} "
              f"ready_s={ready_s:.2f} open_s={health_s:.2f}")


if __name__ == "__main__":
    main()
