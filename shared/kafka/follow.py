"""Read a whole topic on every instance: a consumer with no group, over all partitions.

A consumer group splits partitions between instances; a read model that each instance must
hold in full (recent alerts for the API, the silences) instead follows every partition itself,
from the last ``tail`` records of each (or from the beginning), and keeps following.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.observability import get_logger

log = get_logger(__name__)

OnRecord = Callable[[bytes | None, bytes | None], None]


@dataclass
class TopicFollower:
    bootstrap: str
    topic: str
    on_record: OnRecord
    tail: int | None = None  # records per partition to start from; None = the beginning
    on_caught_up: Callable[[], None] | None = None
    _caught_up: bool = field(default=False, init=False, repr=False)

    async def run(self) -> None:
        """Follow until cancelled; a bad record is logged and skipped."""
        # earliest: if retention removes the records we seek to, read from what is left.
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            behind = await self._assign(consumer)
            self._check_caught_up(behind)
            async for message in consumer:
                try:
                    self.on_record(message.key, message.value)
                except Exception:  # a read model must outlive one bad record
                    log.exception("follow_record_failed", topic=self.topic, offset=message.offset)
                if behind and message.offset + 1 >= behind.get(message.partition, 0):
                    behind.pop(message.partition, None)
                    self._check_caught_up(behind)
        finally:
            await consumer.stop()

    def _check_caught_up(self, behind: dict[int, int]) -> None:
        if not behind and not self._caught_up:
            self._caught_up = True
            if self.on_caught_up is not None:
                self.on_caught_up()

    async def _assign(self, consumer: AIOKafkaConsumer) -> dict[int, int]:
        """Assign and seek every partition; returns partition -> end offset at start for the
        partitions that have records left to read. Explicit seeks: ``seek_to_beginning`` after
        these offset look-ups sometimes left a fresh topic's partitions unread (aiokafka 0.14)."""
        partitions = await self._partitions()
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            if self.tail is not None:
                starts[tp] = max(starts[tp], ends[tp] - self.tail)
            consumer.seek(tp, starts[tp])
        return {tp.partition: ends[tp] for tp in tps if ends[tp] > starts[tp]}

    async def _partitions(self) -> set[int]:
        # A consumer only knows the metadata of topics it uses, so ask the cluster; the topic
        # may also appear a moment after this starts (created by another worker).
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            for _ in range(120):
                (found,) = await admin.describe_topics([self.topic])
                if found["error_code"] == 0 and found["partitions"]:
                    return {p["partition"] for p in found["partitions"]}
                await asyncio.sleep(0.5)
        finally:
            await admin.close()
        raise RuntimeError(f"topic {self.topic} has no partitions")


async def keep_following(make: Callable[[], TopicFollower], *, retry_s: float = 5.0) -> None:
    """Follow with a fresh `TopicFollower` from ``make`` for as long as the task runs: a broker
    outage or a failure while following is logged and retried, so what the followers feed (the
    API's alerts, the silences, the fetch state) keeps being served meanwhile and catches up
    after. Re-reading a topic applies records a second time, which its readers allow for."""
    while True:
        follower = make()
        try:
            await follower.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("follow_failed", topic=follower.topic, retry_in_s=retry_s)
        await asyncio.sleep(retry_s)
