"""The delivery log: which (delivery_key, sink) pairs have been delivered.

`delivery_key` is "<alert_id>:<version>", so each version of an alert reaches each sink at
most once even when the alert is re-emitted after a crash, a rebalance or a replay. The
`Dispatcher` (services.alerting.sinks) consults it before and records into it after each
successful delivery.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol, runtime_checkable

from services.alerting._sqlite import SqliteDb
from shared.observability import get_logger

log = get_logger(__name__)

__all__ = ["DeliveryLog", "MemoryDeliveryLog", "PendingLog", "SqliteDeliveryLog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_key TEXT NOT NULL,
    sink         TEXT NOT NULL,
    delivered    REAL NOT NULL,
    PRIMARY KEY (delivery_key, sink)
);
CREATE TABLE IF NOT EXISTS pending_deliveries (
    delivery_key TEXT NOT NULL,
    sink         TEXT NOT NULL,
    alert        BLOB NOT NULL,
    queued       REAL NOT NULL,
    PRIMARY KEY (delivery_key, sink)
);
CREATE INDEX IF NOT EXISTS deliveries_delivered ON deliveries (delivered);
"""


class DeliveryLog(Protocol):
    def seen(self, delivery_key: str, sink: str) -> bool: ...

    def record(self, delivery_key: str, sink: str) -> None: ...


@runtime_checkable
class PendingLog(DeliveryLog, Protocol):
    """A delivery log that also keeps deliveries still to be made (queued for a sink that was
    down or rate limited), so a restart resumes them. `payload` is the encoded Alert."""

    def add_pending(self, delivery_key: str, sink: str, payload: bytes) -> None: ...

    def drop_pending(self, delivery_key: str, sink: str) -> None: ...

    def is_pending(self, delivery_key: str, sink: str) -> bool: ...

    def pending(self) -> list[tuple[str, bytes]]: ...


class MemoryDeliveryLog:
    def __init__(self) -> None:
        self._done: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str], bytes] = {}

    def add_pending(self, delivery_key: str, sink: str, payload: bytes) -> None:
        self._pending[(delivery_key, sink)] = payload

    def drop_pending(self, delivery_key: str, sink: str) -> None:
        self._pending.pop((delivery_key, sink), None)

    def is_pending(self, delivery_key: str, sink: str) -> bool:
        return (delivery_key, sink) in self._pending

    def pending(self) -> list[tuple[str, bytes]]:
        return [(sink, payload) for (_, sink), payload in self._pending.items()]

    def seen(self, delivery_key: str, sink: str) -> bool:
        return (delivery_key, sink) in self._done

    def record(self, delivery_key: str, sink: str) -> None:
        self._done.add((delivery_key, sink))

    def __len__(self) -> int:
        return len(self._done)


class SqliteDeliveryLog:
    def __init__(self, path: str | Path) -> None:
        self._db = SqliteDb(path, _SCHEMA)

    def seen(self, delivery_key: str, sink: str) -> bool:
        row = self._db.query_one(
            "SELECT 1 FROM deliveries WHERE delivery_key = ? AND sink = ?", (delivery_key, sink)
        )
        return row is not None

    def record(self, delivery_key: str, sink: str) -> None:
        self._db.write(
            "INSERT OR IGNORE INTO deliveries (delivery_key, sink, delivered) VALUES (?, ?, ?)",
            (delivery_key, sink, time.time()),
        )

    def add_pending(self, delivery_key: str, sink: str, payload: bytes) -> None:
        self._db.write(
            "INSERT OR IGNORE INTO pending_deliveries (delivery_key, sink, alert, queued) "
            "VALUES (?, ?, ?, ?)",
            (delivery_key, sink, payload, time.time()),
        )

    def drop_pending(self, delivery_key: str, sink: str) -> None:
        self._db.write(
            "DELETE FROM pending_deliveries WHERE delivery_key = ? AND sink = ?",
            (delivery_key, sink),
        )

    def is_pending(self, delivery_key: str, sink: str) -> bool:
        row = self._db.query_one(
            "SELECT 1 FROM pending_deliveries WHERE delivery_key = ? AND sink = ?",
            (delivery_key, sink),
        )
        return row is not None

    def pending(self) -> list[tuple[str, bytes]]:
        rows = self._db.query_all(
            "SELECT sink, alert FROM pending_deliveries ORDER BY queued, rowid", ()
        )
        return [(str(sink), bytes(alert)) for sink, alert in rows]

    def prune(self, older_than_s: float, now: float) -> int:
        """Forget deliveries (and deliveries still queued) older than ``older_than_s``."""
        cutoff = now - older_than_s
        with self._db.transaction() as db:
            gone: int = db.execute("DELETE FROM deliveries WHERE delivered < ?", (cutoff,)).rowcount
            expired: int = db.execute(
                "DELETE FROM pending_deliveries WHERE queued < ?", (cutoff,)
            ).rowcount
        if expired:  # a sink down for longer than the retention: said loudly, not silently
            log.warning("queued_deliveries_expired", count=expired, older_than_s=older_than_s)
        return gone + expired

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM deliveries", ())
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()
