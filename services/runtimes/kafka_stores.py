"""The stores of the Kafka runtime: faust tables (changelogged, restored on restart or
rebalance) behind the ports the stages use, and the silences broadcast on a compacted topic.

faust tables can only be written from inside a stream (the write goes to the changelog
partition of the event being processed). The deliver stage's first attempt runs in-stream and
writes its log directly; a delivery retried in the background (the outbox) reports how it
ended with a `DeliveryReport` sent to the deliver stage's own input, keyed by group key, and
the stage records it in-stream (services/io_stages.py `Deliver`). Timers do the same with
`Tick` records (services/runtimes/kafka.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson

from services.alerting.silences import MemorySilenceStore, Silence


class TableDeliveryLog:
    """DeliveryLog (with pending deliveries) over a faust table keyed by "<delivery key>|<sink>"
    and "pending|<delivery key>|<sink>". Written by the deliver stage only, in its stream:
    what the outbox finishes in the background comes back to it as a `DeliveryReport`."""

    def __init__(
        self, table: Any, *, rescan_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        # `pending` is asked every second (the flush timer resumes deliveries): it reads an
        # index of the pending keys written here, not the whole table (one record per
        # delivery ever made), and rebuilds it from a full scan every ``rescan_s`` to find
        # pending deliveries restored from the changelog (restart, rebalance).
        self._pending: dict[str, None] = {}  # insertion-ordered set of keys
        self._rescan_s, self._clock = rescan_s, clock
        self._scanned_at: float | None = None

    def seen(self, delivery_key: str, sink: str) -> bool:
        return bool(self.table.get(f"{delivery_key}|{sink}"))

    def record(self, delivery_key: str, sink: str) -> None:
        self.table[f"{delivery_key}|{sink}"] = time.time()

    def add_pending(self, delivery_key: str, sink: str, payload: bytes) -> None:
        key = f"pending|{delivery_key}|{sink}"
        self.table[key] = payload.decode()
        self._pending[key] = None

    def drop_pending(self, delivery_key: str, sink: str) -> None:
        key = f"pending|{delivery_key}|{sink}"
        if self.table.get(key) is not None:
            self.table[key] = None
            self._pending.pop(key, None)

    def is_pending(self, delivery_key: str, sink: str) -> bool:
        return bool(self.table.get(f"pending|{delivery_key}|{sink}"))

    def pending(self) -> list[tuple[str, bytes]]:
        if self._scanned_at is None or self._clock() - self._scanned_at >= self._rescan_s:
            self._pending = {key: None for key, value in list(self.table.items())
                             if key.startswith("pending|") and value}
            self._scanned_at = self._clock()
        found = []
        for key in list(self._pending):
            value = self.table.get(key)
            if value:
                found.append((key.rpartition("|")[2], value.encode()))
            else:
                del self._pending[key]
        return found


def group_stamp(key: str, value: Any) -> float | None:
    """When an alert-groups entry was last updated (None: keep it)."""
    if isinstance(value, dict):
        at = value.get("last_seen")
        return float(at) if isinstance(at, int | float) else None
    return None


def delivery_stamp(key: str, value: Any) -> float | None:
    """When an alert-deliveries record was made. A pending delivery (its payload) is kept
    until delivered or dropped; a dropped one (None) can go at once."""
    if key.startswith("pending|"):
        return None if value else float("-inf")
    return float(value) if isinstance(value, int | float) else None


class TableSeenIds:
    """The dedup stage's SeenIds over a faust table keyed by article id (with retention)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def first_seen(self, article_id: str, now: float) -> bool:
        if self.table.get(article_id) is not None:
            return False
        self.table[article_id] = now
        return True

    def settle(self, article_id: str) -> None:
        pass  # the table write commits with the stage's offset and its output

def seen_stamp(key: str, value: Any) -> float | None:
    """When a fetcher-seen-ids entry was written."""
    return float(value) if isinstance(value, int | float) else None


class BroadcastSilenceStore(MemorySilenceStore):
    """Silences held in memory by every instance; a local change is also published to the
    compacted silences topic (a deletion as a tombstone), and every instance applies what it
    reads there."""

    def __init__(self, publish: Callable[[str, bytes | None], None]) -> None:
        super().__init__()
        self._publish = publish

    def put(self, silence: Silence) -> None:
        super().put(silence)
        self._publish(silence.id, orjson.dumps(silence.to_dict()))

    def delete(self, silence_id: str) -> None:
        super().delete(silence_id)
        self._publish(silence_id, None)

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        if value:
            MemorySilenceStore.put(self, Silence.from_dict(orjson.loads(value)))
        elif key:
            MemorySilenceStore.delete(self, key.decode())
