"""Read a whole topic on every instance: a consumer with no group, over all partitions.

A consumer group splits partitions between instances; a read model that each instance must
hold in full (recent alerts for the API, the silences) instead follows every partition itself,
from the last ``tail`` records of each (or from the beginning), and keeps following.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

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

    async def run(self) -> None:
        """Follow until cancelled; a bad record is logged and skipped."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            await self._assign(consumer)
            async for message in consumer:
                try:
                    self.on_record(message.key, message.value)
                except Exception:  # a read model must outlive one bad record
                    log.exception("follow_record_failed", topic=self.topic, offset=message.offset)
        finally:
            await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer) -> None:
        partitions = await self._partitions()
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if self.tail is None:
            await consumer.seek_to_beginning(*tps)
            return
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, max(starts[tp], ends[tp] - self.tail))

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
