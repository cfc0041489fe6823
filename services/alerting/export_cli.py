"""`frontwire export`: alerted events from the alert history on disk, as CSV, GeoJSON or JSONL.

Reads the same history as `GET /api/events` in embedded mode (``alert-history.sqlite`` under
FRONTWIRE_STATE_DIR, default var/state); a distributed alerting worker keeps its history in
memory, so there use the API (``GET /api/events.csv``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from services.alerting.exports import export_events, render
from services.alerting.history import HISTORY_FILE, SCAN_ALL, AlertQuery, SqliteAlertHistory
from services.alerting.silences import parse_duration
from shared.settings import SettingsError, load_settings
from shared.sqlite import StateFileError

FILE_FORMATS = ("csv", "geojson", "jsonl")


def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, geojson or jsonl")] = "csv",
    since: Annotated[
        str, typer.Option(help="Alerted in the last: 3600, 90m, 24h, 7d")
    ] = "24h",
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output)")] = None,
    severity: Annotated[str | None, typer.Option(help="info | warning | critical")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Event type")] = None,
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 (actor or location)")] = None,
    rule: Annotated[str | None, typer.Option(help="Rule name")] = None,
) -> None:
    """Export the alerted events of the embedded history (columns: services/alerting/README.md)."""
    if fmt not in FILE_FORMATS:
        _fail(f"--format: expected one of {', '.join(FILE_FORMATS)}")
    try:
        window = parse_duration(since)
    except ValueError as exc:
        _fail(f"--since: {exc}")
    query = AlertQuery(
        severity=severity, event_type=event_type, country=country.upper() if country else None,
        rule=rule, since=time.time() - window, limit=SCAN_ALL,
    )
    history = _open_history()
    try:
        rows = export_events(history, query)
    finally:
        history.close()
    body = render(rows, fmt)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(body)
    typer.echo(f"{len(rows)} event(s)", err=True)


def _open_history() -> SqliteAlertHistory:
    try:
        path = load_settings().state_dir / HISTORY_FILE
    except SettingsError as exc:
        _fail(str(exc))
    if not path.is_file():  # opening would create an empty one: say where we looked instead
        _fail(f"no alert history at {path} (set FRONTWIRE_STATE_DIR, or run `frontwire run`)")
    try:
        return SqliteAlertHistory(path)
    except StateFileError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"frontwire: {message}", err=True)
    raise typer.Exit(2)
