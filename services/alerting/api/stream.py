"""GET /api/stream: server-sent events of new and updated alerts.

Wire format (text/event-stream, UTF-8)::

    retry: 5000

    event: heartbeat
    data: {"at": 1752480000.0}

    id: 3f2a9c0d1e4b5a67:2
    event: alert
    data: {...the alert as in GET /api/alerts/{id}...}

The first heartbeat is sent once the subscription is registered (from then on nothing is
missed), then one every ``heartbeat_s`` seconds so proxies keep the connection open and clients
can tell a quiet stream from a dead one.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from aiohttp import web

from services.alerting.api.http import error_response
from services.alerting.api.hub import SubscriptionClosed, TooManySubscribers
from services.alerting.api.keys import HEARTBEAT_S, HUB
from services.alerting.api.queries import alert_query
from services.alerting.history import AlertEntry

RETRY_MS = 5000
WRITE_TIMEOUT_S = 30.0  # a client that accepts no bytes for this long is gone; free its task


def format_event(event: str, data: Any, event_id: str | None = None) -> bytes:
    # orjson never emits a raw newline, so the data fits on one "data:" line.
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


def alert_event(entry: AlertEntry) -> bytes:
    return format_event("alert", entry.to_json(), entry.alert.delivery_key)


async def stream(request: web.Request) -> web.StreamResponse:
    """The stream, or 503 (with Retry-After) past the hub's ``max_subscribers``."""
    query = alert_query(request.query, with_window=False)  # validate before answering 200
    hub, heartbeat_s = request.app[HUB], request.app[HEARTBEAT_S]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
        }
    )
    # Subscribe before the headers go out: a client that sees the stream open (and then fetches
    # /api/alerts to catch up) cannot miss an alert published in between.
    try:
        sub = hub.subscribe(query)
    except TooManySubscribers:
        busy = error_response(503, "too many live streams open; try again later")
        busy.headers["Retry-After"] = str(RETRY_MS // 1000)
        return busy
    try:
        await response.prepare(request)
        await _send(response, f"retry: {RETRY_MS}\n\n".encode())
        await _send(response, format_event("heartbeat", {"at": time.time()}))
        while True:
            entry = await sub.next(heartbeat_s)
            if entry is None:
                await _send(response, format_event("heartbeat", {"at": time.time()}))
            else:
                await _send(response, alert_event(entry))
    except (SubscriptionClosed, ConnectionResetError, TimeoutError):
        pass  # dropped as too slow, shutting down, or the client went away
    finally:
        hub.unsubscribe(sub)
    return response


async def _send(response: web.StreamResponse, chunk: bytes) -> None:
    # The hub never waits on a client, but this handler does; bound that wait too.
    await asyncio.wait_for(response.write(chunk), WRITE_TIMEOUT_S)
