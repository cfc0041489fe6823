"""GET /api/events (and .geojson, .csv): alerted events as JSON, GeoJSON or CSV, with the
filters of /api/alerts (services/alerting/exports.py makes the rows)."""

from __future__ import annotations

from aiohttp import web

from services.alerting.api.http import ApiError, Handler
from services.alerting.api.keys import HISTORY
from services.alerting.api.queries import alert_query
from services.alerting.exports import MEDIA_TYPES, export_events, render

API_FORMATS = ("json", "geojson", "csv")
SUFFIXES = {"": None, ".geojson": "geojson", ".csv": "csv"}


def events_handler(suffix_format: str | None) -> Handler:
    """The handler of /api/events<suffix>; without a suffix ``?format=`` picks (default json)."""

    async def list_events(request: web.Request) -> web.Response:
        fmt = suffix_format or _format(request)
        rows = export_events(request.app[HISTORY], alert_query(request.query))
        response = web.Response(body=render(rows, fmt))
        # JSON and GeoJSON are UTF-8 by definition (RFC 8259); CSV must say its charset.
        response.content_type = MEDIA_TYPES[fmt]
        response.charset = "utf-8" if fmt == "csv" else None
        if fmt == "csv":
            response.headers["Content-Disposition"] = 'attachment; filename="events.csv"'
        return response

    return list_events


def _format(request: web.Request) -> str:
    fmt = request.query.get("format", "json").strip().lower() or "json"
    if fmt not in API_FORMATS:
        raise ApiError(400, f"format: expected one of {', '.join(API_FORMATS)}", "format")
    return fmt
