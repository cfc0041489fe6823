"""GroupStore implementations: in memory (tests, one-off replays) and SQLite (embedded mode).

Both store `GroupState.to_dict()` rather than the object, so a state that would not survive
serialisation (and therefore not a faust Table either) fails in tests too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from services.alerting._sqlite import SqliteDb

if TYPE_CHECKING:
    from services.alerting.grouping import GroupState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_groups (
    group_key TEXT PRIMARY KEY,
    state     TEXT NOT NULL,
    updated   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_due (
    group_key TEXT PRIMARY KEY,
    due_at    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_due_at ON alert_due (due_at);
CREATE INDEX IF NOT EXISTS alert_groups_updated ON alert_groups (updated);
"""


def _state_cls() -> type[GroupState]:
    # Imported late: grouping imports this module to re-export the stores.
    from services.alerting.grouping import GroupState

    return GroupState


def pack_group(state: GroupState) -> dict[str, Any]:
    """A group as a mapping (a faust table) holds it: the state as one JSON string, beside the
    two stamps read without decoding it (`due_at` by the timer's index, `last_seen` by
    retention). A dict of atomic values is not tracked by Python's garbage collector, where
    the state's own tree of dicts and lists (its event, sources, stamps) is: with 30 days of
    groups held, every full collection would walk all those trees with the event loop
    stopped (shared/gc_pauses.py)."""
    return {"due_at": state.due_at, "last_seen": state.last_seen,
            "state": orjson.dumps(state.to_dict()).decode()}


def unpack_group(data: Any) -> Any:
    """`GroupState.to_dict()` of a packed group, or of one written whole (before packing)."""
    packed = data.get("state") if isinstance(data, dict) else None
    return orjson.loads(packed) if isinstance(packed, str) else data


class MappingGroupStore:
    """A GroupStore over any str -> dict mapping, e.g. a faust Table: `MappingGroupStore(table)`.

    `due` does not scan every group: groups written here are indexed by ``due_at`` as they
    are put, and only the (few) groups with a ``due_at`` are looked at. The mapping can also
    change behind the store's back (a faust table restored from its changelog after a
    restart or a rebalance), so the index is rebuilt from a full scan every ``rescan_s``:
    a restored group that is due is released at most that much later.
    """

    def __init__(
        self,
        mapping: MutableMapping[str, Any],
        *,
        rescan_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._data = mapping
        self._rescan_s = rescan_s
        self._clock = clock
        self._due: dict[str, float] = {}  # group key -> due_at, groups with one only
        self._scanned_at: float | None = None

    def get(self, group_key: str) -> GroupState | None:
        data = self._data.get(group_key)
        return None if data is None else _state_cls().from_dict(unpack_group(data))

    def put(self, group_key: str, state: GroupState) -> None:
        self._data[group_key] = pack_group(state)
        self._index(group_key, state.due_at)

    def due(self, now: float) -> list[str]:
        """Keys of groups whose `due_at` has come (a faust table: its assigned partitions)."""
        if self._scanned_at is None or self._clock() - self._scanned_at >= self._rescan_s:
            self.rescan()
        return [key for key, due_at in list(self._due.items()) if due_at <= now]

    def rescan(self) -> None:
        """Rebuild the due index from the whole mapping."""
        self._due.clear()
        for key, data in list(self._data.items()):
            self._index(key, data.get("due_at") if isinstance(data, dict) else None)
        self._scanned_at = self._clock()

    def _index(self, group_key: str, due_at: Any) -> None:
        if isinstance(due_at, int | float) and not isinstance(due_at, bool):
            self._due[group_key] = float(due_at)
        else:
            self._due.pop(group_key, None)

    def __len__(self) -> int:
        return len(self._data)


class MemoryGroupStore(MappingGroupStore):
    def __init__(self) -> None:
        super().__init__({})


class SqliteGroupStore:
    def __init__(self, path: str | Path) -> None:
        self._db = SqliteDb(path, _SCHEMA)

    def get(self, group_key: str) -> GroupState | None:
        row = self._db.query_one("SELECT state FROM alert_groups WHERE group_key = ?", (group_key,))
        return None if row is None else _state_cls().from_dict(orjson.loads(row[0]))

    def put(self, group_key: str, state: GroupState) -> None:
        # One transaction: a crash between the two statements would leave a held group
        # without its due row, a group that never flushes.
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO alert_groups (group_key, state, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(group_key) DO UPDATE SET state = excluded.state, "
                "updated = excluded.updated",
                (group_key, orjson.dumps(state.to_dict()).decode(), state.last_seen),
            )
            if state.due_at is None:
                db.execute("DELETE FROM alert_due WHERE group_key = ?", (group_key,))
            else:
                db.execute(
                    "INSERT INTO alert_due (group_key, due_at) VALUES (?, ?) "
                    "ON CONFLICT(group_key) DO UPDATE SET due_at = excluded.due_at",
                    (group_key, state.due_at),
                )

    def due(self, now: float) -> list[str]:
        rows = self._db.query_all(
            "SELECT group_key FROM alert_due WHERE due_at <= ? ORDER BY due_at", (now,)
        )
        return [row[0] for row in rows]

    def prune(self, older_than_s: float, now: float) -> int:
        """Forget groups no report has updated for ``older_than_s``; how many went. A later
        report of the same event starts a new group (version 1): keep the delivery log's
        retention no longer than this, or that first version would count as delivered."""
        cutoff = now - older_than_s
        with self._db.transaction() as db:
            db.execute(
                "DELETE FROM alert_due WHERE group_key IN "
                "(SELECT group_key FROM alert_groups WHERE updated < ?)",
                (cutoff,),
            )
            gone: int = db.execute("DELETE FROM alert_groups WHERE updated < ?", (cutoff,)).rowcount
        return gone

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM alert_groups", ())
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()
