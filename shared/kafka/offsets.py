"""The stage loops' source offsets, kept and committed by frontwire instead of faust's acks.

Why (see ledger.py): faust acknowledges, and then commits, records no handler has seen, and
a worker killed after such a commit loses them. So every stage topic is consumed with faust's
acks off; this keeper decides what each record means for the handler (handle it, skip a
repeat, or first read the records the consumer skipped) and commits only offsets the handler
has passed, after the producer has delivered everything those records caused (faust's own
flush gives up after 0.1 s without progress, which would let a commit overtake a changelog
write).

One keeper per faust app, shared by the app's stage loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Iterator, Sequence
from typing import Any
from weakref import WeakKeyDictionary

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faust.types import TP

from shared.kafka.faust_adapter import (
    commit_offsets,
    flow_active,
    flush_producer_buffer,
    producer_buffered,
)
from shared.kafka.ledger import OffsetLedger, Verdict
from shared.observability import OFFSET_GAPS, get_logger

log = get_logger(__name__)

_KEEPERS: WeakKeyDictionary[faust.App, OffsetKeeper] = WeakKeyDictionary()

READ_TIMEOUT_S = 30.0  # reading back skipped records; a broker that slow stops the worker
DRAIN_TIMEOUT_S = 10.0  # producer buffer drain before a commit; on timeout, commit next tick
STALL_AFTER_S = 5.0  # idle stage with unread records: its consumer dropped them


class OffsetKeeper:
    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.ledger: OffsetLedger[TP] = OffsetLedger()
        self._reader: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._read_lock = asyncio.Lock()
        self._in_flight = 0
        self._sent: list[Awaitable[Any]] = []  # outputs of handled records, not yet confirmed
        self._sources: set[str] = set()  # the stage loops' source topics
        # Where each assigned partition's log ended when it was assigned: until the handler
        # has passed that point it is replaying what a previous owner had already read.
        self._replay_ends: dict[TP, int] = {}
        app.timer(interval=app.conf.broker_commit_interval, name="frontwire.offsets")(self.tick)
        # mode types handlers with a mypy_extensions NamedArg no real signature can match.
        app.on_partitions_assigned.connect(self._on_assigned)  # type: ignore[arg-type]
        app.on_partitions_revoked.connect(self._on_revoked)  # type: ignore[arg-type]
        app.on_before_shutdown.connect(self._on_shutdown)  # type: ignore[arg-type]

    @classmethod
    def of(cls, app: faust.App) -> OffsetKeeper:
        keeper = _KEEPERS.get(app)
        if keeper is None:
            keeper = _KEEPERS[app] = cls(app)
        return keeper

    # -- the stage loop's side ------------------------------------------------------------

    def watch(self, *topics: str) -> None:
        """Keep the offsets of these topics (a stage loop's source)."""
        self._sources.update(topics)

    async def admit(self, stage: str, message: Any) -> list[Any]:
        """The records to handle for ``message``, in order: the ones the consumer skipped
        before it, then itself; none when the handler has seen it in this assignment."""
        tp = TP(message.topic, message.partition)
        generation = message.generation_id
        verdict = self.ledger.verdict(tp, generation, message.offset)
        if verdict is Verdict.UNKNOWN:  # normally started at assignment (_on_assigned)
            committed = await self._committed([tp])
            self.ledger.start(tp, generation, committed[tp], time.monotonic())
            verdict = self.ledger.verdict(tp, generation, message.offset)
        if verdict is Verdict.DUPLICATE:
            return []
        if verdict is Verdict.GAP:
            return [*await self._missed(stage, tp, self.ledger.next_offset(tp), message.offset),
                    message]
        return [message]

    async def admit_all(self, stage: str, messages: Sequence[Any]) -> list[Any]:
        """`admit` for a batch handled in one go: within it, a partition's position moves
        with the records admitted before, not only with those handled (none is yet)."""
        admitted: list[Any] = []
        ahead: dict[tuple[TP, int], int] = {}  # (partition, generation) -> next offset
        for message in messages:
            tp = TP(message.topic, message.partition)
            key = (tp, message.generation_id)
            if key not in ahead:
                records = await self.admit(stage, message)
            elif message.offset < ahead[key]:
                records = []  # admitted already in this batch
            elif message.offset > ahead[key]:
                records = [*await self._missed(stage, tp, ahead[key], message.offset), message]
            else:
                records = [message]
            if records:
                ahead[key] = records[-1].offset + 1
            admitted += records
        return admitted

    async def _missed(self, stage: str, tp: TP, start: int, end: int) -> list[Any]:
        """The records ``start`` <= offset < ``end`` the consumer skipped, read back."""
        with self.busy():
            missed = await self._read(tp, start, end)
        OFFSET_GAPS.labels(tp.topic, "inline").inc(len(missed))
        log.warning("offset_gap", stage=stage, topic=tp.topic, partition=tp.partition,
                    start=start, end=end, records=len(missed))
        return missed

    def sent(self, delivery: Awaitable[Any]) -> None:
        """An output of the record being handled: confirmed delivered before any commit."""
        self._sent.append(delivery)

    def replayed(self, topic: str) -> bool:
        """Whether every assigned partition of ``topic`` has been handled up to where its log
        ended at assignment. A stage whose state is written by records of its own input (the
        deliver stage's reports) is up to date only then."""
        if self.app.rebalancing:
            return False
        generation = self.app.consumer_generation_id
        for tp in self.app.consumer.assignment():
            if tp.topic != topic:
                continue
            end = self._replay_ends.get(tp)
            if end is None or not self.ledger.knows(tp, generation):
                return False
            if self.ledger.next_offset(tp) < end:
                return False
        return True

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Around work on admitted records: the stage is busy, not stalled."""
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1

    @contextlib.contextmanager
    def handling(self, record: Any) -> Iterator[None]:
        """Around the handler: the record counts as handled only if the block completes."""
        with self.busy():
            yield
        self.ledger.handled(TP(record.topic, record.partition), record.offset, time.monotonic())

    # -- commits ------------------------------------------------------------------------

    async def tick(self) -> None:
        if self.app.rebalancing:
            return
        assigned = self.app.consumer.assignment()
        await self.commit(assigned)
        await self._refetch_stalled(assigned)

    async def commit(self, tps: Any) -> None:
        offsets = self.ledger.committable(tps)
        if not offsets or not await self._drain_producer():
            return
        sent, self._sent = self._sent, []
        try:
            await asyncio.gather(*sent)
        except Exception as exc:  # Kafka refused an output: stop rather than commit past it
            log.error("output_send_failed", error=repr(exc))
            await self.app.crash(exc)
            return
        try:
            # faust's own commit path (assignment filter, commit, bookkeeping), fed with our
            # offsets rather than its acks (faust_adapter.commit_offsets says why).
            done = await commit_offsets(self.app.consumer, offsets)
        except Exception as exc:  # a rebalance under way: the next owner starts from the last
            log.info("offsets_commit_failed", error=repr(exc), offsets=len(offsets))
            return
        if done:
            self.ledger.committed(offsets)

    async def _drain_producer(self) -> bool:
        producer = self.app.producer
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while producer_buffered(producer):
            if time.monotonic() > deadline:
                log.warning("offsets_commit_deferred", buffered=producer_buffered(producer))
                return False
            await flush_producer_buffer(producer)  # returns after 0.1 s without progress: loop
        await producer.flush()  # and wait for the broker to take what the client holds
        return True

    async def _on_assigned(self, sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        # Start every partition here, before the worker reports ready, so that its first
        # records do not wait for the lookup (it cost the first alerts ~0.8 s).
        assigned = args[0] if args else kwargs.get("assigned", ())
        tps = [tp for tp in assigned if tp.topic in self._sources]
        if not tps:
            return
        generation = self.app.consumer_generation_id
        try:
            committed = await self._committed(tps)
        except Exception as exc:  # the first record of each partition asks again
            log.warning("offsets_lookup_failed", error=repr(exc), partitions=len(tps))
            return
        now = time.monotonic()
        for tp, offset in committed.items():
            if not self.ledger.knows(tp, generation):  # a first record may have beaten us
                self.ledger.start(tp, generation, offset, now)
        await self._note_replay_ends(tps)

    async def _note_replay_ends(self, tps: list[TP]) -> None:
        try:
            reader = await self._reader_client()
            ends = await reader.end_offsets([TopicPartition(tp.topic, tp.partition) for tp in tps])
        except Exception as exc:  # nothing to wait for rather than waiting for ever
            log.warning("end_offsets_lookup_failed", error=repr(exc), partitions=len(tps))
            ends = {}
        for tp in tps:
            self._replay_ends[tp] = int(ends.get(TopicPartition(tp.topic, tp.partition), 0))

    async def _on_revoked(self, sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        # Still ours until the rebalance completes: hand the next owner an exact position.
        revoked = set(args[0] if args else kwargs.get("revoked", ()))
        await self.commit(revoked)
        self.ledger.forget(revoked)
        for tp in revoked:
            self._replay_ends.pop(tp, None)

    async def _on_shutdown(self, sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        try:
            await self.commit(self.app.consumer.assignment())
        finally:
            await self._close()

    async def _refetch_stalled(self, assigned: Any) -> None:
        if self._in_flight or not flow_active(self.app):
            return
        consumer = self.app.consumer
        ends = {tp: end for tp in assigned if (end := consumer.highwater(tp)) is not None}
        for tp, offset in self.ledger.stalled(ends, time.monotonic(), STALL_AFTER_S).items():
            log.warning("offset_refetch", topic=tp.topic, partition=tp.partition, offset=offset)
            OFFSET_GAPS.labels(tp.topic, "refetch").inc(ends[tp] - offset)
            await consumer.seek(tp, offset)

    # -- Kafka reads outside faust's consumer ---------------------------------------------

    async def _committed(self, tps: list[TP]) -> dict[TP, int]:
        """The group's committed offsets, or the partitions' first offsets where it has none."""
        admin = await self._admin_client()
        parts = {TopicPartition(tp.topic, tp.partition): tp for tp in tps}
        found = await admin.list_consumer_group_offsets(self.app.conf.id, partitions=list(parts))
        offsets = {
            tp: int(meta.offset)
            for part, tp in parts.items()
            if (meta := found.get(part)) is not None and meta.offset >= 0
        }
        if fresh := [part for part, tp in parts.items() if tp not in offsets]:
            reader = await self._reader_client()
            firsts = await reader.beginning_offsets(fresh)
            offsets.update({parts[part]: int(firsts[part]) for part in fresh})
        return offsets

    async def _read(self, tp: TP, start: int, end: int) -> list[Any]:
        """Records ``start`` <= offset < ``end`` of ``tp``, read directly from the broker."""
        part = TopicPartition(tp.topic, tp.partition)
        async with self._read_lock:
            reader = await self._reader_client()
            reader.assign([part])
            reader.seek(part, start)
            records: list[Any] = []
            try:
                async with asyncio.timeout(READ_TIMEOUT_S):
                    while await reader.position(part) < end:
                        batch = await reader.getmany(part, timeout_ms=500)
                        records += [r for r in batch.get(part, []) if start <= r.offset < end]
            finally:
                # Unassigned, the reader stops fetching: no idle long-polls at the log end
                # between gaps, and none in flight to wait out before the next read.
                reader.unsubscribe()
            return records

    async def _reader_client(self) -> AIOKafkaConsumer:
        if self._reader is None:
            reader = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap(), enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            await reader.start()
            self._reader = reader
        return self._reader

    async def _admin_client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap())
            await admin.start()
            self._admin = admin
        return self._admin

    def _bootstrap(self) -> list[str]:
        return [f"{url.host}:{url.port or 9092}" for url in self.app.conf.broker]

    async def _close(self) -> None:
        reader, admin, self._reader, self._admin = self._reader, self._admin, None, None
        if reader is not None:
            await reader.stop()
        if admin is not None:
            await admin.close()
