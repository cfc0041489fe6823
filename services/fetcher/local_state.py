"""What the fetcher remembers between polls: article keys seen and feed validators.

``MemoryFetchState`` lives for one process; ``SqliteFetchState`` survives a restart (embedded
mode). Both are synchronous and cheap: one indexed row per key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from shared.sqlite import open_db, transaction

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
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
"""


class SqliteFetchState:
    """Seen-set and validators in one SQLite file (WAL; every write committed at once).

    Bounded by `prune`: a key nobody has looked at for the retention period goes. A key still
    in use is touched when `seen` finds it (at most once per ``touch_s``, so a feed listing
    the same 50 items every poll costs no write per poll), so it never expires while a feed
    lists it and an old article is not fetched again.
    """

    def __init__(
        self, path: Path | str, *, touch_s: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.touch_s = touch_s
        self._clock = clock
        self._db = open_db(self.path, _SCHEMA)

    def seen(self, key: str) -> bool:
        row = self._db.execute("SELECT at FROM seen WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False
        now = self._clock()
        if now - row[0] > self.touch_s:
            self._db.execute("UPDATE seen SET at = ? WHERE key = ?", (now, key))
        return True

    def add(self, key: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO seen (key, at) VALUES (?, ?)", (key, self._clock())
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
            (url, etag, last_modified, self._clock()),
        )

    def prune(self, older_than_s: float, now: float | None = None) -> int:
        """Forget seen keys and validators untouched for ``older_than_s``; how many went.
        A forgotten validator costs one unconditional GET; a forgotten key is not listed."""
        cutoff = (self._clock() if now is None else now) - older_than_s
        with transaction(self._db) as db:
            gone = db.execute("DELETE FROM seen WHERE at < ?", (cutoff,)).rowcount
            gone += db.execute("DELETE FROM validators WHERE at < ?", (cutoff,)).rowcount
        return gone

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        self._db.close()
