"""Opening a SQLite state file so that a bad one is refused at start, by path, with what to do.

Every embedded-mode store (fetcher seen-set, alert groups, deliveries, history, silences) opens
its file here: WAL, ``synchronous=NORMAL`` (durable across a process crash, the failure that
matters here), the schema, then a ``quick_check`` and a write probe. A file that is not a
database, is corrupt, or cannot be written stops start-up with a `StateFileError` naming the
file — not a bare ``DatabaseError: file is not a database`` on the first query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.errors import StateError

MOVE_ASIDE = ("move it aside (or delete it) and start again: frontwire makes a new, empty "
              "one, so recent articles may be fetched and alerted once more")
WRITABLE = "check the file's and its folder's permissions and the free disk space"


class StateFileError(StateError, RuntimeError):
    """A state file frontwire cannot use; the message says which and what to do."""

    def __init__(self, path: str | Path, problem: str, remedy: str) -> None:
        super().__init__(f"state file {path}: {problem}; {remedy}")
        self.path, self.problem, self.remedy = str(path), problem, remedy


def open_db(path: str | Path, schema: str) -> sqlite3.Connection:
    """A checked connection in autocommit mode (group writes with `transaction`)."""
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StateFileError(path, f"cannot be opened ({exc})", WRITABLE) from None
    try:
        _check(conn, path, schema)
    except BaseException:
        conn.close()
        raise
    return conn


def _check(conn: sqlite3.Connection, path: str | Path, schema: str) -> None:
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise StateFileError(path, f"is corrupt ({verdict})", MOVE_ASIDE)
        conn.executescript(schema)
        conn.execute("BEGIN IMMEDIATE")  # takes the write lock: fails on a read-only file
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "readonly" in text or "unable to open" in text or "disk" in text:
            raise StateFileError(path, f"cannot be written ({text})", WRITABLE) from None
        raise StateFileError(path, f"cannot be used ({text})", MOVE_ASIDE) from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", malformed images
        raise StateFileError(path, f"is not a usable SQLite database ({exc})",
                             MOVE_ASIDE) from None


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One logical write, all or nothing: BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
