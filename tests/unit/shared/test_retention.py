"""Retention: every embedded store forgets what nobody used for its retention period, keeps
what is still in use, and silences are capped. Real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerting.delivery import SqliteDeliveryLog
from services.alerting.grouping import GroupState, SqliteGroupStore
from services.alerting.silences import (
    Matchers,
    MemorySilenceStore,
    Silence,
    SilenceError,
    Silences,
    SilenceStore,
    SqliteSilenceStore,
)
from services.fetcher.local_state import SqliteFetchState
from shared.settings import SettingsError, load_settings

DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_fetch_state_forgets_untouched_keys_and_keeps_listed_ones(tmp_path: Path) -> None:
    clock = Clock()
    state = SqliteFetchState(tmp_path / "fetcher.sqlite", touch_s=DAY, clock=clock)
    state.add("listed")
    state.add("gone")
    state.put_validators("https://feed/", '"e"', None)
    clock.now += 20 * DAY
    assert state.seen("listed")  # the feed still lists it: touched
    clock.now += 15 * DAY
    assert state.prune(30 * DAY) == 2  # "gone" and the validators, untouched for 35 days
    assert state.seen("listed") and not state.seen("gone")
    assert state.get_validators("https://feed/") is None
    assert len(state) == 1
    state.close()
    reopened = SqliteFetchState(tmp_path / "fetcher.sqlite", clock=clock)
    assert reopened.seen("listed") and not reopened.seen("gone")
    reopened.close()


def group(key: str, last_seen: float, due_at: float | None = None) -> GroupState:
    return GroupState(key, "r", "s", last_seen, last_seen, pending=due_at is not None,
                      due_at=due_at)


def test_group_store_forgets_groups_not_updated_with_their_due_rows(tmp_path: Path) -> None:
    store = SqliteGroupStore(tmp_path / "groups.sqlite")
    store.put("old", group("old", 1000.0, due_at=2000.0))
    store.put("recent", group("recent", 40 * DAY, due_at=40 * DAY + 60))
    assert store.prune(30 * DAY, now=41 * DAY) == 1
    assert store.get("old") is None and store.get("recent") is not None
    assert store.due(50 * DAY) == ["recent"] and len(store) == 1
    store.close()


def test_delivery_log_forgets_old_deliveries_and_queued_ones(tmp_path: Path) -> None:
    log = SqliteDeliveryLog(tmp_path / "deliveries.sqlite")
    log.record("a:1", "ops")
    log.add_pending("a:2", "ops", b"{}")
    assert log.prune(30 * DAY, now=1e10) == 2  # far in the future: both are old
    assert not log.seen("a:1", "ops") and log.pending() == [] and len(log) == 0
    log.record("a:3", "ops")
    assert log.prune(30 * DAY, now=0.0) == 0 and log.seen("a:3", "ops")
    log.close()


def silence(sid: str, starts: float, ends: float) -> Silence:
    return Silence(sid, Matchers(rule="r"), starts, ends, "ops", created_at=starts)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_silences_are_capped_and_ended_ones_pruned(tmp_path: Path, kind: str) -> None:
    store: SilenceStore = (
        MemorySilenceStore() if kind == "memory" else SqliteSilenceStore(tmp_path / "s.sqlite")
    )
    silences = Silences(store, max_silences=2, retention_s=7 * DAY)
    silences.add(silence("a", 0.0, 100.0))
    silences.add(silence("b", 0.0, 100.0))
    with pytest.raises(SilenceError) as caught:
        silences.add(silence("c", 10.0, 100.0))
    assert caught.value.field == "silences" and "at most 2" in str(caught.value)
    silences.expire("a", 20.0)
    silences.add(silence("c", 30.0, 100.0))  # an ended one does not count
    silences.add(replace_ends(silences, "c", 200.0))  # updating one that exists is allowed
    assert silences.prune(20.0 + 7 * DAY - 1) == 0  # "a" ended < 7 days ago: kept
    assert silences.prune(20.0 + 7 * DAY + 1) == 1
    assert silences.get("a") is None and {s.id for s in silences.list(0.0)} == {"b", "c"}
    if isinstance(store, SqliteSilenceStore):
        store.close()
        again = SqliteSilenceStore(tmp_path / "s.sqlite")
        assert {s.id for s in again.all()} == {"b", "c"}
        again.close()


def replace_ends(silences: Silences, sid: str, ends: float) -> Silence:
    current = silences.get(sid)
    assert current is not None
    return Silence(current.id, current.matchers, current.starts_at, ends, current.created_by,
                   created_at=current.created_at)


def test_retention_settings_are_validated_naming_the_field() -> None:
    defaults = load_settings()
    assert defaults.retention_seen_s == 30 * DAY and defaults.max_silences == 1000
    with pytest.raises(SettingsError, match="FRONTWIRE_RETENTION_DELIVERIES_S"):
        load_settings(retention_groups_s=2 * DAY, retention_deliveries_s=3 * DAY)
    with pytest.raises(SettingsError, match="FRONTWIRE_MAX_SILENCES"):
        load_settings(max_silences=0)
