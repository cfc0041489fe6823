"""What the fetcher remembers between polls: article keys seen and feed validators.

``MemoryFetchState`` lives for one process; ``SqliteFetchState`` survives a restart (embedded
mode). Both are synchronous and cheap: one indexed row per key.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)


@runtime_checkable
class SeenStore(Protocol):
    def seen(self, key: str) -> bool: ...
    def add(self, key: str) -> None: ...


@runtime_checkable
class FetchState(SeenStore, Protocol):
    def get_validators(self, url: str) -> Validators | None: ...
    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...


class MemoryFetchState:
    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._validators: dict[str, Validators] = {}

    def seen(self, key: str) -> bool:
        return key in self._seen

    def add(self, key: str) -> None:
        self._seen.add(key)

    def get_validators(self, url: str) -> Validators | None:
        return self._validators.get(url)

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if etag is None and last_modified is None:
            self._validators.pop(url, None)
        else:
            self._validators[url] = (etag, last_modified)

    def close(self) -> None:
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, at REAL NOT NULL
) WITHOUT ROWID;
"""


class SqliteFetchState:
    """Seen-set and validators in one SQLite file (WAL; every write committed at once)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def seen(self, key: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone()
        return row is not None

    def add(self, key: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", (key, time.time())
        )

    def get_validators(self, url: str) -> Validators | None:
        row = self._db.execute(
            "SELECT etag, last_modified FROM validators WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if etag is None and last_modified is None:
            self._db.execute("DELETE FROM validators WHERE url = ?", (url,))
            return
        self._db.execute(
            "INSERT OR REPLACE INTO validators (url, etag, last_modified, at) VALUES (?, ?, ?, ?)",
            (url, etag, last_modified, time.time()),
        )

    def prune(self, older_than_s: float) -> int:
        """Forget seen keys older than ``older_than_s``; returns how many went."""
        cur = self._db.execute("DELETE FROM seen WHERE at < ?", (time.time() - older_than_s,))
        return cur.rowcount

    def close(self) -> None:
        self._db.close()
