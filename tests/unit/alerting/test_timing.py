"""Group timing: group_wait / group_interval fold near-simultaneous sources, repeat_interval
re-sends; pure logic over a store and an explicit `now` (no clocks, no sleeps)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from services.alerting.group_stores import SqliteGroupStore
from services.alerting.grouping import Candidate, GroupStore, MemoryGroupStore, decide
from services.alerting.model import Rule
from services.alerting.rules import RuleSet
from services.alerting.timing import TimedGroupStore, flush_due
from tests.unit.alerting.builders import article, enriched, troops

BASE = next(r for r in RuleSet.default() if r.name == "large-troop-deployment")


def cand(rule: Rule, n: int) -> Candidate:
    enr = enriched(troops(), art=article(n, publisher=f"outlet-{n}"))
    return Candidate(rule, enr.events[0], enr, f"{rule.name}:sig-kp-ru-troops")


def lookup(rule: Rule):  # type: ignore[no-untyped-def]
    return lambda name: rule if name == rule.name else None


def test_group_wait_folds_three_near_simultaneous_outlets_into_one_alert() -> None:
    rule = replace(BASE, group_wait=30.0)
    store = MemoryGroupStore()
    decisions = [decide(cand(rule, n), store, 100.0 + n) for n in (1, 2, 3)]
    assert [d.kind for d in decisions] == ["held"] * 3
    assert {d.due_at for d in decisions} == {131.0}  # the group's wait, not each report's
    assert flush_due(store, 130.9, lookup(rule)) == []
    (released,) = flush_due(store, 131.0, lookup(rule))
    assert released.alert.version == 1 and len(released.alert.sources) == 3
    assert "3 sources" in released.alert.summary
    assert released.routes == rule.routes
    assert flush_due(store, 132.0, lookup(rule)) == []  # delivered once


def test_group_interval_folds_sources_into_the_next_update() -> None:
    rule = replace(BASE, group_interval=60.0)
    store = MemoryGroupStore()
    first = decide(cand(rule, 1), store, 0.0)
    assert first.kind == "new" and first.alert is not None  # group_wait 0: at once
    assert decide(cand(rule, 2), store, 10.0).due_at == 60.0
    assert decide(cand(rule, 3), store, 20.0).due_at == 60.0
    assert flush_due(store, 59.0, lookup(rule)) == []
    (update,) = flush_due(store, 60.0, lookup(rule))
    assert update.alert.version == 2 and len(update.alert.sources) == 3
    assert update.alert.alert_id == first.alert.alert_id
    # The next source after the interval passed goes out at once.
    later = decide(cand(rule, 4), store, 200.0)
    assert later.kind == "updated" and later.alert is not None and later.alert.version == 3


def test_repeat_interval_resends_an_unchanged_group_only_when_configured() -> None:
    store = MemoryGroupStore()
    decide(cand(BASE, 1), store, 0.0)
    assert flush_due(store, 10**9, lookup(BASE)) == []  # default: never repeat
    rule = replace(BASE, repeat_interval=3600.0)
    store = MemoryGroupStore()
    decide(cand(rule, 1), store, 0.0)
    assert flush_due(store, 3599.0, lookup(rule)) == []
    (again,) = flush_due(store, 3600.0, lookup(rule))
    assert again.kind == "repeated" and again.alert.version == 2
    assert len(again.alert.sources) == 1
    assert flush_due(store, 3601.0, lookup(rule)) == []
    assert [r.alert.version for r in flush_due(store, 7200.0, lookup(rule))] == [3]


def test_defaults_send_every_change_at_once() -> None:
    store = MemoryGroupStore()
    kinds = [decide(cand(BASE, n), store, float(n)).kind for n in (1, 2, 3)]
    assert kinds == ["new", "updated", "updated"]
    assert flush_due(store, 100.0, lookup(BASE)) == []


def test_removed_rule_still_releases_what_it_held() -> None:
    rule = replace(BASE, group_wait=5.0)
    store = MemoryGroupStore()
    decide(cand(rule, 1), store, 0.0)
    (released,) = flush_due(store, 5.0, lambda name: None)
    assert released.alert.severity == rule.severity and released.alert.version == 1


def test_sqlite_store_indexes_due_groups(tmp_path: Path) -> None:
    rule = replace(BASE, group_wait=30.0)
    path = tmp_path / "groups.sqlite"
    store: GroupStore = SqliteGroupStore(path)
    decide(cand(rule, 1), store, 0.0)
    reopened = SqliteGroupStore(path)  # survives a restart
    assert isinstance(reopened, TimedGroupStore)
    assert reopened.due(29.0) == [] and len(reopened.due(30.0)) == 1
    (released,) = flush_due(reopened, 30.0, lookup(rule))
    assert released.alert.version == 1 and reopened.due(10**9) == []


def test_rule_file_timing_defaults_overrides_and_route_limits(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\n"
        "defaults: {group_wait: 30s, group_interval: 5m}\n"
        "route_limits:\n  webhook: {per_minute: 30, burst: 5, max_queue: 100}\n"
        "rules:\n"
        "  - {name: a, severity: info, match: {event_types: [attack]}}\n"
        "  - {name: b, severity: info, match: {event_types: [attack]},\n"
        "     group_wait: 0, repeat_interval: 1h}\n",
        encoding="utf-8",
    )
    rules = RuleSet.load(path)
    a, b = rules.get("a"), rules.get("b")
    assert a is not None and b is not None
    assert (a.group_wait, a.group_interval, a.repeat_interval) == (30.0, 300.0, None)
    assert (b.group_wait, b.group_interval, b.repeat_interval) == (0.0, 300.0, 3600.0)
    limit = rules.route_limits["webhook"]
    assert (limit.per_minute, limit.burst, limit.max_queue) == (30.0, 5, 100)
