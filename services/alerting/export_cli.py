"""`frontwire export`: alerted events from the alert history on disk, as CSV, GeoJSON or JSONL.

Reads the history `GET /api/events` reads: embedded mode's on disk (``alert-history.sqlite``
under FRONTWIRE_STATE_DIR, default var/state), or with ``--url`` a running alerting API's (a
distributed alerting worker keeps its history in memory, so that is the way to reach it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from services.alerting.exports import export_events, render
from services.alerting.history import (
    HISTORY_FILE,
    MAX_LIMIT,
    SCAN_ALL,
    AlertQuery,
    SqliteAlertHistory,
)
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
    url: Annotated[
        str | None, typer.Option(help="Ask this alerting API instead of reading the state dir")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="FRONTWIRE_API_TOKEN", help="API bearer token (--url)")
    ] = None,
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
    rows = _from_api(url, token, query) if url else _from_state(query)
    body = render(rows, fmt)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(body)
    typer.echo(f"{len(rows)} event(s)", err=True)


def _from_state(query: AlertQuery) -> list[dict[str, Any]]:
    history = _open_history()
    try:
        return export_events(history, query)
    finally:
        history.close()


def _from_api(url: str, token: str | None, query: AlertQuery) -> list[dict[str, Any]]:
    """The rows of ``GET /api/events`` (at most `MAX_LIMIT`, the API's bound)."""
    wanted = {"severity": query.severity, "type": query.event_type, "country": query.country,
              "rule": query.rule, "since": query.since, "limit": MAX_LIMIT}
    params = {k: str(v) for k, v in wanted.items() if v is not None}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(
            url.rstrip("/") + "/api/events", params=params, headers=headers, timeout=30
        )
    except httpx.HTTPError as exc:
        _fail(f"cannot reach {url}: {type(exc).__name__}")
    if response.status_code != 200:
        _fail(f"HTTP {response.status_code} from {url}: {response.text[:200]}")
    rows: list[dict[str, Any]] = response.json()["events"]
    return rows


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
