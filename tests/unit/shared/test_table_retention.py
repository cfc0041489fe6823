"""Distributed-mode retention: changelog settings, in-memory forgetting of real faust tables
(not started: their local store is the same object a worker uses), the group timer's index,
and silence deletions broadcast as tombstones."""

from __future__ import annotations

import gc

import faust
import orjson

from services.alerting.grouping import GroupState, MappingGroupStore
from services.alerting.silences import Matchers, Silence, Silences
from services.runtimes.kafka_stores import BroadcastSilenceStore, delivery_stamp, group_stamp
from shared.kafka.retention import forget_local
from shared.kafka.topics import _topic_configs, retention_configs
from shared.settings import load_settings

DAY = 86400.0


def table(name: str) -> faust.Table:
    app = faust.App(f"retention-{name}", broker="kafka://127.0.0.1:1", store="memory://")
    return app.Table(name, default=None, key_type=str)


def state(key: str, last_seen: float, due_at: float | None = None) -> GroupState:
    return GroupState(key, "r", "s", last_seen, last_seen, pending=due_at is not None,
                      due_at=due_at)


def test_changelogs_and_the_state_topic_expire_keys_after_their_retention() -> None:
    settings = load_settings(retention_seen_s=2 * DAY)
    assert retention_configs(DAY) == {"cleanup.policy": "compact,delete",
                                      "retention.ms": "86400000"}
    assert _topic_configs(settings, "fetch.state")["retention.ms"] == str(2 * 86_400_000)
    assert _topic_configs(settings, "silences") == {"cleanup.policy": "compact"}


def test_a_running_worker_forgets_old_groups_and_deliveries_from_memory() -> None:
    groups = table("alert-groups")  # written as its changelog restores it (no stream here)
    groups.data["old"] = state("old", 10.0).to_dict()
    groups.data["new"] = state("new", 40 * DAY).to_dict()
    store = MappingGroupStore(groups)
    assert forget_local(groups, 40 * DAY - 30 * DAY, group_stamp) == 1
    assert store.get("old") is None and store.get("new") is not None

    deliveries = table("alert-deliveries")
    deliveries.data["a:1|ops"] = 10.0
    deliveries.data["a:2|ops"] = 40 * DAY
    deliveries.data["pending|a:3|ops"] = '{"alert": 1}'  # still to deliver: kept
    deliveries.data["pending|a:4|ops"] = None  # dropped: goes
    assert forget_local(deliveries, 10 * DAY, delivery_stamp) == 2
    assert sorted(deliveries.data) == ["a:2|ops", "pending|a:3|ops"]


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_group_timer_looks_at_due_groups_only_and_rescans_for_restored_ones() -> None:
    groups: dict[str, object] = {}  # a plain mapping: put() needs no stream
    ticks = Ticks()
    store = MappingGroupStore(groups, rescan_s=30.0, clock=ticks)
    for n in range(1000):
        store.put(f"quiet-{n}", state(f"quiet-{n}", 1.0))  # nothing due: not indexed
    store.put("held", state("held", 1.0, due_at=5.0))
    assert store.due(4.0) == [] and store.due(5.0) == ["held"]
    assert len(store._due) == 1  # the index holds the one group with a due_at
    store.put("held", state("held", 1.0))  # flushed: out of the index
    assert store.due(100.0) == []

    groups["restored"] = state("restored", 1.0, due_at=2.0).to_dict()  # behind its back
    assert store.due(100.0) == []  # not seen until the next rescan ...
    ticks.now += 30.0
    assert store.due(100.0) == ["restored"]  # ... at most rescan_s later


def test_deleted_silences_travel_as_tombstones() -> None:
    sent: list[tuple[str, bytes | None]] = []
    mine = BroadcastSilenceStore(lambda key, value: sent.append((key, value)))
    other = BroadcastSilenceStore(lambda key, value: None)
    silences = Silences(mine, retention_s=DAY)
    silences.add(Silence("s1", Matchers(rule="r"), 0.0, 10.0, "ops", created_at=0.0))
    assert silences.prune(10.0 + 2 * DAY) == 1
    assert [key for key, _ in sent] == ["s1", "s1"] and sent[1][1] is None
    for key, value in sent:  # what every instance reads back from the topic
        other.apply(key.encode(), value)
    assert other.all() == [] and mine.all() == []
    other.apply(b"s2", orjson.dumps(Silence("s2", Matchers(rule="r"), 0.0, 9.0, "ops").to_dict()))
    assert [s.id for s in other.all()] == ["s2"]


def test_pending_deliveries_are_read_from_an_index_not_a_scan_of_every_record() -> None:
    from services.runtimes.kafka_stores import TableDeliveryLog

    deliveries = table("alert-deliveries-pending")
    for n in range(1000):
        deliveries.data[f"a{n}:1|ops"] = 1.0  # delivered: never looked at by pending()
    deliveries.data["pending|b:1|ops"] = '{"alert": 1}'  # restored from the changelog
    ticks = Ticks()
    log = TableDeliveryLog(deliveries, rescan_s=30.0, clock=ticks)
    assert log.pending() == [("ops", b'{"alert": 1}')]  # the first call scans once
    deliveries.data["pending|c:1|ops"] = '{"alert": 2}'  # restored later (a rebalance)
    deliveries.data["pending|b:1|ops"] = None  # dropped meanwhile
    assert log.pending() == []  # the index only: b is gone, c not seen yet
    ticks.now += 30.0
    assert log.pending() == [("ops", b'{"alert": 2}')]


def test_a_group_is_held_as_one_untracked_value_and_older_whole_values_still_read() -> None:
    groups: dict[str, object] = {}
    store = MappingGroupStore(groups)
    held = state("held", 7.0, due_at=9.0)
    store.put("held", held)
    value = groups["held"]
    # Packed: no tree for the garbage collector to walk on every full collection.
    assert not gc.is_tracked(value) and not gc.is_tracked(orjson.loads(orjson.dumps(value)))
    assert store.get("held") == held
    assert group_stamp("held", value) == 7.0
    store.rescan()
    assert store.due(9.0) == ["held"]
    groups["old"] = state("old", 3.0).to_dict()  # written whole by an earlier version
    assert store.get("old") == state("old", 3.0) and group_stamp("old", groups["old"]) == 3.0
