"""Handlers of /api/alerts and /api/silences."""

from __future__ import annotations

import time
from typing import Any

import orjson
from aiohttp import web

from services.alerting.api.http import ApiError, json_response
from services.alerting.api.keys import HISTORY, SILENCES
from services.alerting.api.queries import alert_query
from services.alerting.silences import Silence, SilenceError, parse_silence


async def list_alerts(request: web.Request) -> web.Response:
    entries = request.app[HISTORY].query(alert_query(request.query))
    return json_response({"alerts": [e.to_json() for e in entries], "count": len(entries)})


async def get_alert(request: web.Request) -> web.Response:
    entry = request.app[HISTORY].get(request.match_info["alert_id"])
    if entry is None:
        raise ApiError(404, "no such alert (unknown, or older than the history keeps)")
    return json_response(entry.to_json())


async def list_silences(request: web.Request) -> web.Response:
    now = time.time()
    include_expired = request.query.get("all", "").lower() in ("1", "true", "yes")
    found = request.app[SILENCES].list(now, include_expired=include_expired)
    return json_response({"silences": [silence_json(s, now) for s in found]})


async def create_silence(request: web.Request) -> web.Response:
    now = time.time()
    try:
        silence = parse_silence(await _json_body(request), now)
    except SilenceError as exc:
        raise ApiError(400, str(exc), exc.field) from None
    try:
        request.app[SILENCES].add(silence)
    except SilenceError as exc:  # the cap on live silences: the store is full, not the body
        raise ApiError(409, str(exc), exc.field) from None
    location = f"/api/silences/{silence.id}"
    return json_response(silence_json(silence, now), 201, headers={"Location": location})


async def get_silence(request: web.Request) -> web.Response:
    silence = request.app[SILENCES].get(request.match_info["silence_id"])
    if silence is None:
        raise ApiError(404, "no such silence")
    return json_response(silence_json(silence, time.time()))


async def expire_silence(request: web.Request) -> web.Response:
    now = time.time()
    silence = request.app[SILENCES].expire(request.match_info["silence_id"], now)
    if silence is None:
        raise ApiError(404, "no such silence")
    return json_response(silence_json(silence, now))


def silence_json(silence: Silence, now: float) -> dict[str, Any]:
    data = silence.to_dict()
    state = "active" if silence.active(now) else "pending" if now < silence.starts_at else "expired"
    data["state"] = state
    return data


async def _json_body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > 64 * 1024:
        raise ApiError(413, "body too large")
    try:
        return orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise ApiError(400, "body: not valid JSON", "body") from None
