"""Alerted events as JSON, GeoJSON, CSV and JSON Lines (`GET /api/events`, `frontwire export`).

One row per alerted event: several rules may alert on the same event (same ``signature``), and
the history keeps one entry per alert, so rows are merged by signature, the most recently
alerted entry first; ``rules`` lists every rule that alerted on it. The columns are documented
in services/alerting/README.md ("Event exports").

CSV cells are neutralised against formula injection: article text decides what a cell holds,
and a spreadsheet would run a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a
formula, so such text cells get a leading ``'``. Numbers are written by us, never from text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from services.alerting.history import SCAN_ALL, AlertEntry, AlertHistory, AlertQuery

FORMATS = ("json", "geojson", "csv", "jsonl")
MEDIA_TYPES = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "jsonl": "application/jsonl",
}
LIST_SEP = "|"  # between the items of a list column (aligned: actor_roles[i] is actor_names[i])
CSV_COLUMNS = (
    "date", "event_id", "type", "status", "severity", "rules",
    "actor_roles", "actor_names", "actor_codes",
    "location", "country", "lat", "lon",
    "quantity_min", "quantity_max", "quantity_unit", "quantity_approximate",
    "summary", "sentence", "confidence", "source_urls", "source_publishers",
    "story_id", "alert_id", "version",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_events(history: AlertHistory, query: AlertQuery) -> list[dict[str, Any]]:
    """The rows of the events ``query`` selects (filters on the alerts), newest first."""
    # Merging by signature may fold several alerts into one row, so every match is read (the
    # history holds a few thousand entries at most) and ``limit`` cuts rows, not alerts.
    entries = history.query(replace(query, limit=SCAN_ALL))
    return event_rows(entries)[: max(0, query.limit)]


def event_rows(entries: Iterable[AlertEntry]) -> list[dict[str, Any]]:
    """One row per event (by signature) of ``entries`` (newest first), in that order."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = entry.alert.event.signature or entry.alert_id
        row = rows.get(key)
        if row is None:
            rows[key] = event_row(entry)
        elif entry.alert.rule not in row["rules"]:
            row["rules"].append(entry.alert.rule)
    return list(rows.values())


def event_row(entry: AlertEntry) -> dict[str, Any]:
    """The JSON form of one alerted event (the latest version of its alert)."""
    alert, event = entry.alert, entry.alert.event
    location = event.location
    quantity = event.quantity
    return {
        "event_id": event.signature or alert.alert_id,
        "date": iso_date(entry.alerted),
        "alerted": entry.alerted,
        "type": event.type,
        "status": event.status,
        "severity": alert.severity,
        "rules": [alert.rule],
        "actors": [
            {"role": a.role, "name": a.name, "kind": a.kind, "code": a.code} for a in event.actors
        ],
        "location": None if location is None else {
            "name": location.name, "country": location.country,
            "lat": location.lat, "lon": location.lon,
        },
        "quantity": None if quantity is None else {
            "min": quantity.min, "max": quantity.max, "unit": quantity.unit,
            "approximate": quantity.approximate,
        },
        "summary": alert.summary,
        "sentence": event.sentence,
        "confidence": event.confidence,
        "sources": [
            {"url": s.url, "title": s.title, "publisher": s.publisher} for s in entry.sources()
        ],
        "story_id": alert.story_id,
        "alert_id": alert.alert_id,
        "version": alert.version,
    }


def iso_date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def to_json(rows: Sequence[dict[str, Any]]) -> bytes:
    return orjson.dumps({"events": list(rows), "count": len(rows)})


def to_jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def to_geojson(rows: Iterable[dict[str, Any]]) -> bytes:
    """An RFC 7946 FeatureCollection: a Point ([lon, lat]) per event that has coordinates."""
    features = [
        {
            "type": "Feature",
            "id": row["event_id"],
            "geometry": {
                "type": "Point",
                "coordinates": [row["location"]["lon"], row["location"]["lat"]],
            },
            "properties": row,
        }
        for row in rows
        if _has_point(row)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def _has_point(row: dict[str, Any]) -> bool:
    location = row["location"]
    return location is not None and location["lat"] is not None and location["lon"] is not None


def to_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, UTF-8) with a header of `CSV_COLUMNS`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in csv_record(row)])
    return out.getvalue().encode()


def csv_record(row: dict[str, Any]) -> tuple[Any, ...]:
    """The values of `CSV_COLUMNS` for one row, before neutralising."""
    location = row["location"] or {}
    quantity = row["quantity"] or {}
    actors, sources = row["actors"], row["sources"]
    return (
        row["date"], row["event_id"], row["type"], row["status"], row["severity"],
        _joined(row["rules"]),
        _joined(a["role"] for a in actors),
        _joined(a["name"] for a in actors),
        _joined(a["code"] or "" for a in actors),
        location.get("name"), location.get("country"), location.get("lat"), location.get("lon"),
        quantity.get("min"), quantity.get("max"), quantity.get("unit"),
        quantity.get("approximate"),
        row["summary"], row["sentence"], row["confidence"],
        _joined(s["url"] for s in sources),
        _joined(s["publisher"] or "" for s in sources),
        row["story_id"], row["alert_id"], row["version"],
    )


def _joined(values: Iterable[str]) -> str:
    # A separator inside an item would shift the alignment of the list columns.
    return LIST_SEP.join(v.replace(LIST_SEP, "/") for v in values)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return safe_cell(value)
    return value


def safe_cell(text: str) -> str:
    """``text`` that a spreadsheet shows as text, never evaluates as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    """``rows`` in ``fmt`` (one of `FORMATS`)."""
    renderers = {"json": to_json, "geojson": to_geojson, "csv": to_csv, "jsonl": to_jsonl}
    return renderers[fmt](rows)
