"""Which source offsets a stage's handler has seen, and which it may therefore commit.

faust commits what its streams *acknowledge*, and it acknowledges records no handler ever saw:
records it skips while flow control is off or from an older consumer generation, and the
"gaps" it assumes when its read offset is reset under a running fetch (table recovery seeks
the stream partitions to their committed offsets *after* the streams have already run). A
`kill -9` after such a commit loses those records for good. So the stage loop keeps its own
ledger: per partition, the next offset its handler must see. A record above that offset means
the ones in between were never handled (they are read again and handled first); a record
below it was already handled in this assignment; only offsets the handler has passed are
committed.

Pure bookkeeping, no Kafka: the adapter (shared/kafka/offsets.py) feeds it records and
commits what it returns.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)  # a topic-partition


class Verdict(Enum):
    HANDLE = "handle"  # the next record: handle it
    DUPLICATE = "duplicate"  # handled already in this assignment: skip it
    GAP = "gap"  # records between `next_offset` and this one were never handled
    UNKNOWN = "unknown"  # first record of a new assignment: the start offset is needed


@dataclass
class _Partition:
    generation: int
    next_offset: int  # the next offset the handler has to see
    committed: int  # the last offset committed (or found committed) for this partition


class OffsetLedger(Generic[K]):
    """Per partition of the stage's source topics, the handler's position.

    ``generation`` is the consumer-group generation a record was fetched in: after a
    rebalance the partition may have been someone else's, so its position is taken afresh
    from the group's committed offset.
    """

    def __init__(self) -> None:
        self._parts: dict[K, _Partition] = {}
        self._progress_at = 0.0  # when the handler last moved past a record, any partition

    def verdict(self, tp: K, generation: int, offset: int) -> Verdict:
        if not self.knows(tp, generation):
            return Verdict.UNKNOWN
        part = self._parts[tp]
        if offset < part.next_offset:
            return Verdict.DUPLICATE
        if offset > part.next_offset:
            return Verdict.GAP
        return Verdict.HANDLE

    def knows(self, tp: K, generation: int) -> bool:
        part = self._parts.get(tp)
        return part is not None and part.generation == generation

    def start(self, tp: K, generation: int, committed: int, now: float) -> None:
        """Begin a partition's assignment at the group's committed offset."""
        self._parts[tp] = _Partition(generation, committed, committed)
        self._progress_at = now

    def next_offset(self, tp: K) -> int:
        return self._parts[tp].next_offset

    def handled(self, tp: K, offset: int, now: float) -> None:
        part = self._parts.get(tp)
        if part is None:  # revoked while its handler ran: the next owner takes it from here
            return
        if offset >= part.next_offset:
            part.next_offset = offset + 1
            self._progress_at = now

    def committable(self, assigned: Iterable[K]) -> dict[K, int]:
        """Offsets to commit: the handler's position, for assigned partitions that moved."""
        return {
            tp: part.next_offset
            for tp in assigned
            if (part := self._parts.get(tp)) is not None and part.next_offset > part.committed
        }

    def committed(self, offsets: dict[K, int]) -> None:
        for tp, offset in offsets.items():
            if (part := self._parts.get(tp)) is not None:
                part.committed = max(part.committed, offset)

    def stalled(self, ends: dict[K, int], now: float, after_s: float) -> dict[K, int]:
        """Partitions whose log ends past the handler's position while the handler has been
        idle for ``after_s``: their records were dropped before the handler saw them and no
        later record arrived to reveal the gap. Returns the offsets to read again from."""
        if now - self._progress_at < after_s:
            return {}
        return {
            tp: part.next_offset
            for tp, end in ends.items()
            if (part := self._parts.get(tp)) is not None and end > part.next_offset
        }

    def forget(self, tps: Iterable[K]) -> None:
        for tp in tps:
            self._parts.pop(tp, None)
