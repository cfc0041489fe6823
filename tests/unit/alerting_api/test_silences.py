"""Silences: matching, activity window, expiry, stores and request validation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.alerting.silences import (
    MappingSilenceStore,
    Matchers,
    Silence,
    SilenceError,
    Silences,
    SqliteSilenceStore,
    parse_duration,
    parse_silence,
)
from shared.records import Location
from tests.unit.alerting_api.alerts import T0, mobilisation_alert, shells_alert, troops_alert

NOW = T0 + 1000


def silence(sid: str = "s1", ends_at: float = NOW + 3600, **matchers: str) -> Silence:
    return Silence(sid, Matchers(**matchers), NOW - 10, ends_at, "ops", "test")


@pytest.mark.parametrize(
    ("matchers", "silenced"),
    [
        ({"rule": "large-troop-deployment"}, True),
        ({"rule": "arms-transfer"}, False),
        ({"event_type": "troop_deployment"}, True),
        ({"severity": "CRITICAL"}, True),  # case-insensitive
        ({"severity": "warning"}, False),
        ({"country": "kp"}, True),  # an actor's code
        ({"country": "RU"}, True),  # actor or location
        ({"country": "UA"}, False),
        ({"actor": "north korea"}, True),
        ({"actor": "Belarus"}, False),
        ({"rule": "large-troop-deployment", "country": "UA"}, False),  # all must hold
        ({"rule": "large-troop-deployment", "actor": "Russia", "severity": "critical"}, True),
    ],
)
def test_matchers(matchers: dict[str, str], silenced: bool) -> None:
    silences = Silences()
    silences.add(silence(**matchers))
    assert (silences.silenced(troops_alert(), NOW) is not None) is silenced


def test_location_country_matches_without_actors() -> None:
    event = replace(mobilisation_alert().event, actors=(), location=Location("Lviv", "UA"))
    silences = Silences()
    silences.add(silence(country="UA"))
    assert silences.silenced(mobilisation_alert(event=event), NOW) is not None
    assert silences.silenced(mobilisation_alert(), NOW) is None


def test_active_window_and_expiry() -> None:
    silences = Silences()
    s = silences.add(silence(ends_at=NOW + 60, rule="arms-transfer"))
    assert silences.silenced(shells_alert(), NOW) == s
    assert silences.silenced(shells_alert(), NOW + 60) is None  # ends_at is exclusive
    assert silences.silenced(shells_alert(), s.starts_at - 1) is None  # not started yet
    expired = silences.expire("s1", NOW + 1)
    assert expired is not None and expired.ends_at == NOW + 1
    assert silences.silenced(shells_alert(), NOW + 2) is None
    assert silences.expire("s1", NOW + 5) == expired  # idempotent
    assert silences.expire("nope", NOW) is None


def test_list_hides_expired_unless_asked() -> None:
    silences = Silences()
    silences.add(silence("a", ends_at=NOW + 100, rule="x"))
    silences.add(silence("b", ends_at=NOW + 50, rule="y"))
    silences.expire("a", NOW)
    assert [s.id for s in silences.list(NOW + 1)] == ["b"]
    assert [s.id for s in silences.list(NOW + 1, include_expired=True)] == ["a", "b"]


def test_first_match_is_the_one_ending_first() -> None:
    silences = Silences()
    silences.add(silence("late", ends_at=NOW + 500, severity="critical"))
    silences.add(silence("soon", ends_at=NOW + 50, country="KP"))
    found = silences.silenced(troops_alert(), NOW)
    assert found is not None and found.id == "soon"


def test_sqlite_store_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "silences.sqlite"
    first = Silences(SqliteSilenceStore(path))
    first.add(silence("keep", rule="large-troop-deployment"))
    first.add(silence("gone", country="PL"))
    first.expire("gone", NOW)
    second = Silences(SqliteSilenceStore(path))
    assert [s.id for s in second.list(NOW + 1)] == ["keep"]
    assert second.silenced(troops_alert(), NOW + 1) == first.get("keep")
    assert second.silenced(mobilisation_alert(), NOW + 1) is None


def test_mapping_store_round_trips_plain_dicts() -> None:
    table: dict[str, Any] = {}
    silences = Silences(MappingSilenceStore(table))
    s = silences.add(silence(actor="Russia", severity="critical"))
    assert table["s1"]["matchers"] == {"severity": "critical", "actor": "Russia"}
    assert silences.get("s1") == s
    assert silences.silenced(shells_alert(), NOW) == s


# --- validation ----------------------------------------------------------------------------


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "matchers": {"rule": "arms-transfer", "country": "KP"},
        "duration": "2h",
        "created_by": "alice",
        "comment": "known shipment, tracked in OPS-12",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_parse_valid() -> None:
    s = parse_silence(body(), NOW, silence_id="x")
    assert s == Silence(
        "x",
        Matchers(rule="arms-transfer", country="KP"),
        NOW,
        NOW + 7200,
        "alice",
        "known shipment, tracked in OPS-12",
        NOW,
    )
    by_time = parse_silence(body(duration=None, ends_at="2025-07-15T00:00:00Z"), NOW)
    assert by_time.ends_at == 1752537600.0
    assert parse_silence(body(duration=None, ends_at=NOW + 5), NOW).ends_at == NOW + 5
    assert len(parse_silence(body(), NOW).id) == 32


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"matchers": {}}, "matchers"),
        ({"matchers": "rule=x"}, "matchers"),
        ({"matchers": {"rule": ""}}, "matchers.rule"),
        ({"matchers": {"rule": 3}}, "matchers.rule"),
        ({"matchers": {"colour": "red"}}, "matchers.colour"),
        ({"matchers": {"severity": "urgent"}}, "matchers.severity"),
        ({"duration": None}, "ends_at"),  # neither
        ({"ends_at": NOW + 60}, "ends_at"),  # both
        ({"duration": "soon"}, "duration"),
        ({"duration": "0s"}, "duration"),
        ({"duration": "365d"}, "duration"),
        ({"duration": None, "ends_at": NOW - 1}, "ends_at"),
        ({"duration": None, "ends_at": "tomorrow"}, "ends_at"),
        ({"duration": None, "ends_at": "2025-07-15T00:00:00"}, "ends_at"),  # no zone
        ({"created_by": None}, "created_by"),
        ({"created_by": "  "}, "created_by"),
        ({"comment": "x" * 501}, "comment"),
        ({"id": "mine"}, "id"),
        ({"starts_at": "later"}, "starts_at"),
    ],
)
def test_parse_errors_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(SilenceError) as caught:
        parse_silence(body(**overrides), NOW)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_parse_rejects_non_objects() -> None:
    with pytest.raises(SilenceError, match=r"^body: "):
        parse_silence(["x"], NOW)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(90, 90.0), ("90", 90.0), ("90m", 5400.0), ("2h", 7200.0), ("1d", 86400.0)],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds
