"""A stage handles every record once even when faust's consumer loses some on the way, and
commits exactly what it handled (shared/kafka/ledger.py, shared/kafka/offsets.py).

The worker is a real faust worker on the real broker; only its consumer callback is made to
lose chosen records (tests/support/gap_worker.py), which is the effect of the faust defects
the stage loop guards against, made deterministic.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.paths import REPO_ROOT
from tests.support.cluster import Workers

pytestmark = [pytest.mark.kafka]

SERVICE = "gapcheck"


def _seen(path: Path) -> Counter[str]:
    return Counter(path.read_text().split()) if path.exists() else Counter()


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def _produce(bootstrap: str, topic: str, values: range) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for v in values:
            await producer.send_and_wait(topic, str(v).encode(), partition=0)
    finally:
        await producer.stop()


async def _committed(bootstrap: str, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        part = TopicPartition(topic, 0)
        found = await admin.list_consumer_group_offsets(group, partitions=[part])
        return found[part].offset if part in found else -1
    finally:
        await admin.close()


def _feed_and_settle(workers: Workers, bootstrap: str, values: range,
                     handled: Callable[[], bool], what: str) -> None:
    """Produce ``values`` to the worker's source, wait until ``handled()`` says they were,
    then until the group's committed offset is past the last of them."""
    topic, group = f"{workers.prefix}.articles.raw", f"{workers.prefix}-{SERVICE}"
    asyncio.run(_produce(bootstrap, topic, values))
    _wait(handled, 60, what)
    _wait(lambda: asyncio.run(_committed(bootstrap, group, topic)) == values.stop, 30,
          f"offset {values.stop} to be committed")


def _gap_worker(bootstrap: str, workdir: Path, **env: str) -> Workers:
    return Workers(
        bootstrap,
        workdir,
        env_extra={"FRONTWIRE_PARTITIONS": "1", "PYTHONPATH": str(REPO_ROOT), **env},
        commands={SERVICE: [sys.executable, "-m", "tests.support.gap_worker"]},
    )


@pytest.mark.parametrize("batch", ["1", "8"], ids=["one-by-one", "batched"])
def test_lost_records_are_read_back_handled_once_and_committed_exactly(
    kafka_bootstrap: str, tmp_path: Path, batch: str
) -> None:
    out = tmp_path / "seen.txt"
    # 0: the first record of the assignment; 4-7: a run in the middle, revealed by 8;
    # 17-19: the tail, which no later record reveals (the idle-partition re-fetch).
    # Batched, records 8-16 may reach the handler in one call with the gap before them.
    workers = _gap_worker(
        kafka_bootstrap, tmp_path, GAP_OUT=str(out), GAP_DROP="0,4,5,6,7,17,18,19",
        GAP_BATCH=batch,
    )
    try:
        workers.start(SERVICE)
        _feed_and_settle(workers, kafka_bootstrap, range(20),
                         lambda: len(_seen(out)) == 20, "the 20 records to be handled")
        assert _seen(out) == Counter(str(v) for v in range(20))
        log = workers.log(SERVICE, tail=200_000)
        assert '"offset_gap"' in log and '"offset_refetch"' in log

        # A kill -9 after the commit: the restarted worker starts exactly where it stopped.
        workers.kill(SERVICE)
        workers.start(SERVICE)
        _feed_and_settle(workers, kafka_bootstrap, range(20, 25),
                         lambda: len(_seen(out)) == 25, "the 5 new records to be handled")
        assert _seen(out) == Counter(str(v) for v in range(25))
    finally:
        workers.stop_all()


def test_a_refused_output_is_retried_not_committed_past(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    # Kafka refuses the output of records 3 and 19: the handler's error ends faust's agent,
    # which faust restarts; the record was not handled, so it is read back and handled again.
    out = tmp_path / "seen.txt"
    workers = _gap_worker(kafka_bootstrap, tmp_path, GAP_OUT=str(out), GAP_FAIL_SEND="3,19")
    try:
        workers.start(SERVICE)
        _feed_and_settle(workers, kafka_bootstrap, range(20),
                         lambda: sum(_seen(out).values()) == 22, "20 records and 2 retries")
    finally:
        workers.stop_all()
    assert _seen(out) == Counter(str(v) for v in range(20)) + Counter(["3", "19"])


async def _dead_letters(bootstrap: str, topic: str, want: int) -> list[dict[str, object]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest")
    await consumer.start()
    found: list[dict[str, object]] = []
    try:
        deadline = time.monotonic() + 30
        while len(found) < want and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            found += [orjson.loads(r.value)["data"] for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return found


def test_a_poison_record_fails_alone_in_a_batch(kafka_bootstrap: str, tmp_path: Path) -> None:
    # The batch holding 5 (or 13) fails as a whole; its records are handled again one by
    # one, so only the poison ones go to the dead letters, and every other one is handled once.
    out = tmp_path / "seen.txt"
    workers = _gap_worker(kafka_bootstrap, tmp_path, GAP_OUT=str(out), GAP_BATCH="8",
                          GAP_POISON="5,13")
    try:
        workers.start(SERVICE)
        _feed_and_settle(workers, kafka_bootstrap, range(20),
                         lambda: len(_seen(out)) == 18, "the 18 good records to be handled")
        dead = asyncio.run(_dead_letters(kafka_bootstrap, f"{workers.prefix}.deadletter", 2))
    finally:
        workers.stop_all()
    assert _seen(out) == Counter(str(v) for v in range(20) if v not in (5, 13))
    assert sorted(d["offset"] for d in dead) == [5, 13]
    assert all("poison" in str(d["error"]) for d in dead)
