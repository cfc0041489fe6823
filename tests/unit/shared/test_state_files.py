"""SQLite state files: refused at start by path and remedy when corrupt or unwritable; one
transaction per logical write. Real files, real SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from services.alerting.delivery import SqliteDeliveryLog
from services.alerting.grouping import GroupState, SqliteGroupStore
from services.alerting.history import SqliteAlertHistory
from services.alerting.silences import SqliteSilenceStore
from services.cli import app
from services.fetcher.local_state import SqliteFetchState
from shared.sqlite import StateFileError

STORES: dict[str, Callable[[Path], Any]] = {
    "fetcher": SqliteFetchState,
    "groups": SqliteGroupStore,
    "deliveries": SqliteDeliveryLog,
    "history": SqliteAlertHistory,
    "silences": SqliteSilenceStore,
}


@pytest.mark.parametrize("store", sorted(STORES))
def test_a_file_that_is_not_a_database_is_refused_by_path(tmp_path: Path, store: str) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is a text file, not SQLite\n" * 200)
    with pytest.raises(StateFileError) as caught:
        STORES[store](path)
    message = str(caught.value)
    assert str(path) in message and "move it aside" in message
    assert caught.value.path == str(path)


@pytest.mark.parametrize("store", sorted(STORES))
def test_a_corrupted_database_is_refused_by_path(tmp_path: Path, store: str) -> None:
    path = tmp_path / "state.sqlite"
    STORES[store](path).close()  # a real database with the store's schema ...
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    for page in range(1, len(data) // 4096):  # ... whose pages after the header are scribbled
        data[page * 4096 + 8 : page * 4096 + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))
    with pytest.raises(StateFileError) as caught:
        STORES[store](path)
    assert str(path) in str(caught.value)
    assert "move it aside" in str(caught.value)


@pytest.mark.parametrize("store", sorted(STORES))
def test_a_path_that_cannot_be_written_is_refused_by_path(tmp_path: Path, store: str) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    path = blocker / "x.sqlite"  # the folder cannot be made (as root, too)
    with pytest.raises(StateFileError) as caught:
        STORES[store](path)
    assert str(path) in str(caught.value) and "permissions" in str(caught.value)

    folder = tmp_path / "a-folder.sqlite"
    folder.mkdir()  # a directory in place of the file
    with pytest.raises(StateFileError) as caught:
        STORES[store](folder)
    assert str(folder) in str(caught.value)


def test_frontwire_run_names_the_corrupt_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "fetcher.sqlite").write_bytes(b"\x00garbage" * 1000)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")
    result = CliRunner().invoke(
        app, ["run", "--once", "--feeds", str(feeds)],
        env={"FRONTWIRE_STATE_DIR": str(state), "FRONTWIRE_LOG_JSON": "false"},
    )
    assert result.exit_code == 2, result.output
    assert f"state file {state / 'fetcher.sqlite'}" in result.output
    assert "move it aside" in result.output


def _held(key: str, due_at: float | None) -> GroupState:
    return GroupState(key, "r", "s", 1.0, 1.0, pending=due_at is not None, due_at=due_at)


def test_a_group_write_is_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "groups.sqlite"
    store = SqliteGroupStore(path)
    store.put("g1", _held("g1", 10.0))
    # A failure between the group row and its due row (here: a real trigger refusing the
    # second statement) must leave neither: a held group without its due row never flushes.
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON alert_due "
        "BEGIN SELECT RAISE(ABORT, 'disk full, say'); END"
    )
    conn.commit()
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        store.put("g2", _held("g2", 20.0))
    assert store.get("g2") is None
    assert store.due(100.0) == ["g1"]
    store.put("g1", _held("g1", None))  # the store still works after a rolled-back write
    assert store.due(100.0) == [] and store.get("g1") is not None
    store.close()
