"""faust-table adapters of the alerting core's stores, and the control messages that let work
started outside a stream (timers, the delivery outbox) write to them.

faust tables can only be written from inside a stream (the write goes to the changelog
partition of the event being processed), so a timer or background task sends a *control
message* on alerts.candidates, keyed by group key, and the deliver agent applies it in-stream.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import faust
import orjson

CONTROL_PREFIX = b'{"control"'
Control = Callable[[dict[str, Any]], None]


def control_message(op: str, **fields: str) -> bytes:
    return orjson.dumps({"control": op, **fields})


class TableDeliveryLog:
    """DeliveryLog (with pending deliveries) over a faust table keyed by "<delivery key>|<sink>"
    and "pending|<delivery key>|<sink>". Outside a stream (the outbox's background task) a
    write becomes a control message, handled in-stream by `apply`."""

    def __init__(
        self, table: Any, control: Control | None = None, *, rescan_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        self.control = control
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
        if self._in_stream():
            self.table[f"{delivery_key}|{sink}"] = time.time()
        elif self.control is not None:
            self.control({"control": "delivered", "delivery_key": delivery_key, "sink": sink})

    def add_pending(self, delivery_key: str, sink: str, payload: bytes) -> None:
        if self._in_stream():
            key = f"pending|{delivery_key}|{sink}"
            self.table[key] = payload.decode()
            self._pending[key] = None

    def drop_pending(self, delivery_key: str, sink: str) -> None:
        key = f"pending|{delivery_key}|{sink}"
        if not self._in_stream():
            if self.control is not None:
                self.control({"control": "dropped", "delivery_key": delivery_key, "sink": sink})
        elif self.table.get(key) is not None:
            self.table[key] = None
            self._pending.pop(key, None)

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

    def apply(self, message: dict[str, Any]) -> None:
        """A "delivered" / "dropped" control message, in-stream: record, drop the pending."""
        key, sink = str(message["delivery_key"]), str(message["sink"])
        if message["control"] == "delivered":
            self.record(key, sink)
        self.drop_pending(key, sink)

    @staticmethod
    def _in_stream() -> bool:
        return faust.current_event() is not None


class GroupIndex:
    """alert id -> group key for recent alerts, so a control message about a delivery reaches
    the partition of its group. Bounded: an alert long gone falls back to its own id."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[str, str] = OrderedDict()

    def remember(self, alert_id: str, group_key: str) -> None:
        self._keys[alert_id] = group_key
        self._keys.move_to_end(alert_id)
        while len(self._keys) > self.capacity:
            self._keys.popitem(last=False)

    def group_of(self, delivery_key: str) -> str:
        alert_id = delivery_key.rpartition(":")[0]
        return self._keys.get(alert_id, alert_id)


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
