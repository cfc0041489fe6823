"""The alerting HTTP API and live page as an aiohttp application."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from services.alerting.api import routes
from services.alerting.api.contract import openapi_json
from services.alerting.api.events import SUFFIXES, events_handler
from services.alerting.api.http import (
    auth_middleware,
    errors_middleware,
    guard_middleware,
    security_headers,
)
from services.alerting.api.hub import ApiHub
from services.alerting.api.keys import HEARTBEAT_S, HISTORY, HUB, SILENCES
from services.alerting.api.stream import stream
from services.alerting.history import AlertHistory
from services.alerting.silences import Silences
from shared.web_guard import Refusals, RequestPolicy

STATIC_DIR = Path(__file__).resolve().parents[1] / "web"
DEFAULT_HEARTBEAT_S = 15.0


def make_api(
    history: AlertHistory,
    silences: Silences,
    *,
    token: str | None,
    static_dir: Path = STATIC_DIR,
    hub: ApiHub | None = None,
    heartbeat_s: float = DEFAULT_HEARTBEAT_S,
    policy: RequestPolicy | None = None,
) -> web.Application:
    """The API (see services/alerting/README.md). ``token`` None or "" makes /api read-only.

    ``policy`` says which Host names and origins are served (default: loopback names and IP
    literals, same origin only). Transports publish delivered alerts through
    ``api_hub(app).publish(alert)``; pass ``hub`` to build it yourself (it must share
    ``history``).
    """
    guard = guard_middleware(policy or RequestPolicy(), Refusals("alerting_api"))
    app = web.Application(middlewares=[guard, errors_middleware, auth_middleware(token or None)])
    app[HISTORY] = history
    app[SILENCES] = silences
    app[HUB] = hub if hub is not None else ApiHub(history)
    app[HEARTBEAT_S] = heartbeat_s
    app.on_response_prepare.append(security_headers)
    app.on_shutdown.append(_close_streams)
    _add_routes(app, static_dir)
    return app


def api_hub(app: web.Application) -> ApiHub:
    return app[HUB]


def _add_routes(app: web.Application, static_dir: Path) -> None:
    index = static_dir / "index.html"

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/", page)
    app.router.add_static("/static/", static_dir)
    app.router.add_get("/api/alerts", routes.list_alerts)
    app.router.add_get("/api/alerts/{alert_id}", routes.get_alert)
    app.router.add_get("/api/silences", routes.list_silences)
    app.router.add_post("/api/silences", routes.create_silence)
    app.router.add_get("/api/silences/{silence_id}", routes.get_silence)
    app.router.add_delete("/api/silences/{silence_id}", routes.expire_silence)
    app.router.add_get("/api/stream", stream)
    for suffix, fmt in SUFFIXES.items():
        app.router.add_get(f"/api/events{suffix}", events_handler(fmt))
    app.router.add_get("/api/openapi.json", openapi_json)


async def _close_streams(app: web.Application) -> None:
    app[HUB].close()  # open SSE responses would otherwise hold shutdown for its timeout


async def start_api(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port (0 = any free port, see `bound_port`); stop with cleanup()."""
    # No access log: the stream URL may carry ?token=, which must not end up in logs.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually listened on (after `start_api` with port 0)."""
    return int(runner.addresses[0][1])
