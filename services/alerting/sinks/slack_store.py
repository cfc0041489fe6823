"""Where each alert's Slack message is (channel, ts), so an update edits it or replies in its
thread — after a restart too. Same pattern as the delivery log: memory or SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Protocol

from services.alerting._sqlite import SqliteDb

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_messages (
    alert_id TEXT PRIMARY KEY,
    channel  TEXT NOT NULL,
    ts       TEXT NOT NULL
);
"""


class MessageRef(NamedTuple):
    channel: str
    ts: str


class SlackMessageStore(Protocol):
    def get(self, alert_id: str) -> MessageRef | None: ...

    def put(self, alert_id: str, ref: MessageRef) -> None: ...


class MemorySlackStore:
    def __init__(self) -> None:
        self._refs: dict[str, MessageRef] = {}

    def get(self, alert_id: str) -> MessageRef | None:
        return self._refs.get(alert_id)

    def put(self, alert_id: str, ref: MessageRef) -> None:
        self._refs[alert_id] = ref


class SqliteSlackStore:
    def __init__(self, path: str | Path) -> None:
        self._db = SqliteDb(path, _SCHEMA)

    def get(self, alert_id: str) -> MessageRef | None:
        row = self._db.query_one(
            "SELECT channel, ts FROM slack_messages WHERE alert_id = ?", (alert_id,)
        )
        return None if row is None else MessageRef(str(row[0]), str(row[1]))

    def put(self, alert_id: str, ref: MessageRef) -> None:
        self._db.write(
            "INSERT INTO slack_messages (alert_id, channel, ts) VALUES (?, ?, ?) "
            "ON CONFLICT(alert_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts",
            (alert_id, ref.channel, ref.ts),
        )

    def close(self) -> None:
        self._db.close()
