"""The alerts read model: latest version per alert, versions kept, queries, bounds, SQLite."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from services.alerting.history import (
    AlertEntry,
    AlertQuery,
    MemoryAlertHistory,
    SqliteAlertHistory,
)
from shared.records import Location
from tests.unit.alerting_api.alerts import T0, mobilisation_alert, shells_alert, troops_alert


@pytest.fixture
def history() -> MemoryAlertHistory:
    h = MemoryAlertHistory()
    for alert in (troops_alert(), shells_alert(), mobilisation_alert()):
        h.add(alert)
    return h


def ids(entries: list) -> list[str]:
    return [e.alert_id for e in entries]


def test_newest_first_and_limit(history: MemoryAlertHistory) -> None:
    everything = history.query(AlertQuery())
    assert ids(everything) == ["99ee88dd77cc66bb", "77aa00bb11cc22dd", "3f2a9c0d1e4b5a67"]
    assert ids(history.query(AlertQuery(limit=1))) == ["99ee88dd77cc66bb"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AlertQuery(severity="warning"), {"99ee88dd77cc66bb"}),
        (AlertQuery(event_type="arms_transfer"), {"77aa00bb11cc22dd"}),
        (AlertQuery(rule="large-troop-deployment"), {"3f2a9c0d1e4b5a67"}),
        (AlertQuery(country="KP"), {"3f2a9c0d1e4b5a67", "77aa00bb11cc22dd"}),  # actor code
        (AlertQuery(country="pl"), {"99ee88dd77cc66bb"}),  # case-insensitive
        (AlertQuery(country="UA"), set()),
        (AlertQuery(since=T0 + 60), {"77aa00bb11cc22dd", "99ee88dd77cc66bb"}),
        (AlertQuery(until=T0 + 60), {"3f2a9c0d1e4b5a67"}),
        (AlertQuery(severity="critical", country="RU", since=T0 + 1), {"77aa00bb11cc22dd"}),
    ],
)
def test_filters(history: MemoryAlertHistory, query: AlertQuery, expected: set[str]) -> None:
    assert set(ids(history.query(query))) == expected


def test_country_matches_the_location_alone() -> None:
    event = replace(mobilisation_alert().event, actors=(), location=Location("Kursk", "RU"))
    h = MemoryAlertHistory()
    h.add(mobilisation_alert(event=event))
    assert len(h.query(AlertQuery(country="RU"))) == 1
    assert h.query(AlertQuery(country="PL")) == []


def test_update_replaces_the_alert_keeps_versions_and_moves_to_the_top(
    history: MemoryAlertHistory,
) -> None:
    entry = history.add(troops_alert(version=2, alerted=T0 + 600))
    assert entry is not None
    assert ids(history.query(AlertQuery()))[0] == "3f2a9c0d1e4b5a67"
    got = history.get("3f2a9c0d1e4b5a67")
    assert got is not None and got.alert.version == 2 and got.alerted == T0 + 600
    assert [v.version for v in got.versions] == [1, 2]
    assert [s.publisher for s in got.sources()] == ["CNN", "BBC News"]
    assert got.versions[0].sources[0].publisher == "CNN"


def test_redelivery_and_late_old_versions_never_roll_back(history: MemoryAlertHistory) -> None:
    assert history.add(troops_alert()) is None  # at-least-once redelivery: no change
    history.add(troops_alert(version=3, alerted=T0 + 900))
    late = history.add(troops_alert(version=2, alerted=T0 + 600))
    got = history.get("3f2a9c0d1e4b5a67")
    assert late is not None and got is not None
    assert got.alert.version == 3 and got.alerted == T0 + 900
    assert [v.version for v in got.versions] == [1, 2, 3]


def test_bounded_evicts_the_least_recently_alerted() -> None:
    h = MemoryAlertHistory(max_alerts=2)
    h.add(troops_alert())
    h.add(shells_alert())
    h.add(troops_alert(version=2, alerted=T0 + 500))  # refreshed: now the newest
    h.add(mobilisation_alert())
    assert set(ids(h.query(AlertQuery()))) == {"3f2a9c0d1e4b5a67", "99ee88dd77cc66bb"}
    assert h.get("77aa00bb11cc22dd") is None


def test_eviction_keeps_the_most_recently_alerted_under_many_re_puts() -> None:
    """Against the plain definition (sort everything, keep the newest ``max_alerts``), over
    enough puts that stale heap items pile up and are rebuilt away."""
    rng = random.Random(7)
    h = MemoryAlertHistory(max_alerts=20)
    latest: dict[str, float] = {}
    base = troops_alert()
    for n in range(3000):
        alert_id = f"a{rng.randrange(60)}"
        alerted = T0 + n + rng.choice((0, 0, 0, -40))  # now and then a late, older version
        entry = AlertEntry(replace(base, alert_id=alert_id), alerted, ())
        h.put(entry)
        latest[alert_id] = alerted
        kept = sorted(latest, key=lambda i: latest[i])[-20:]
        latest = {i: latest[i] for i in kept}
        assert {e.alert_id for e in h.query(AlertQuery(limit=100))} == set(latest)
    assert len(h._by_age) <= 2 * len(h) + 64


def test_unknown_alert_is_none(history: MemoryAlertHistory) -> None:
    assert history.get("nope") is None


def test_json_shape(history: MemoryAlertHistory) -> None:
    entry = history.get("3f2a9c0d1e4b5a67")
    assert entry is not None
    data = entry.to_json()
    assert data["alert_id"] == "3f2a9c0d1e4b5a67" and data["alerted"] == T0
    assert data["sources"][0]["url"].startswith("https://edition.cnn.com/")
    assert data["versions"][0]["version"] == 1
    assert data["event"]["quantity"]["max"] == 30_000


def test_sqlite_survives_a_restart_and_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history.sqlite"
    first = SqliteAlertHistory(path, max_alerts=2)
    first.add(troops_alert())
    first.add(troops_alert(version=2, alerted=T0 + 10))
    first.add(shells_alert())
    first.add(mobilisation_alert())  # evicts the troops alert (oldest alerted)
    first.add(shells_alert(alerted=T0 + 60))  # redelivery: no write
    first.close()

    second = SqliteAlertHistory(path, max_alerts=2)
    assert ids(second.query(AlertQuery())) == ["99ee88dd77cc66bb", "77aa00bb11cc22dd"]
    got = second.get("77aa00bb11cc22dd")
    assert got is not None and got.alert == shells_alert()
    assert second.add(shells_alert()) is None
    second.close()
    third = SqliteAlertHistory(path, max_alerts=5)
    assert len(third) == 2
    third.close()
