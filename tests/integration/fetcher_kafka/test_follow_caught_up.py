"""TopicFollower.on_caught_up over a real broker: called once, after every record that was in
the topic at start was applied (at once for an empty topic). The fetch-state gate relies on it."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.kafka.follow import TopicFollower

pytestmark = [pytest.mark.kafka]


async def _topic(bootstrap: str, partitions: int) -> str:
    name = f"fwtest{uuid.uuid4().hex[:8]}.follow"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()
    return name


async def _follow(bootstrap: str, topic: str, before: int) -> tuple[list[int], list[int]]:
    """Produce ``before`` records, follow; (records applied when caught up, all applied)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for n in range(before):
            await producer.send_and_wait(topic, key=str(n).encode(), value=str(n).encode())
        applied: list[int] = []
        at_catch_up: list[int] = []
        calls: list[int] = []
        caught_up = asyncio.Event()

        def on_caught_up() -> None:
            calls.append(1)
            at_catch_up.extend(applied)
            caught_up.set()

        follower = TopicFollower(
            bootstrap,
            topic,
            lambda k, v: applied.append(int(v or b"0")),
            on_caught_up=on_caught_up,
        )
        task = asyncio.create_task(follower.run())
        try:
            async with asyncio.timeout(60):
                await caught_up.wait()
                await producer.send_and_wait(topic, key=b"late", value=b"999")
                while 999 not in applied:
                    await asyncio.sleep(0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        assert calls == [1]
        return at_catch_up, applied
    finally:
        await producer.stop()


@pytest.mark.parametrize("before", [0, 25])
def test_caught_up_after_every_existing_record(kafka_bootstrap: str, before: int) -> None:
    async def run() -> tuple[list[int], list[int]]:
        topic = await _topic(kafka_bootstrap, 3)
        return await _follow(kafka_bootstrap, topic, before)

    at_catch_up, applied = asyncio.run(run())
    assert sorted(at_catch_up) == list(range(before))
    assert sorted(applied) == [*range(before), 999]
