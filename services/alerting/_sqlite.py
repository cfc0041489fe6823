"""A small SQLite wrapper shared by the group store and the delivery log.

One connection per store, guarded by a lock because the embedded pipeline may call from
worker threads. Every write commits at once: both tables exist to survive a crash, so a
write that is not durable is worth nothing. A logical write of several statements goes in
one `transaction`, so a crash leaves all of it or none of it. The file is checked when it is
opened (`shared.sqlite.open_db`): a corrupt or unwritable one stops start-up by name.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.sqlite import open_db, transaction


class SqliteDb:
    def __init__(self, path: str | Path, schema: str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._conn = open_db(path, schema)

    def query_one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, params).fetchone()
            return row

    def query_all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            rows: list[tuple[Any, ...]] = self._conn.execute(sql, params).fetchall()
            return rows

    def write(self, sql: str, params: Sequence[Any]) -> int:
        """One statement, committed at once (autocommit); returns the rows it changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one logical write: all committed, or none on any error."""
        with self._lock, transaction(self._conn) as conn:
            yield conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()
