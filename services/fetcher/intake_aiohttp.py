"""Embedded mode's intake server: the same ``POST /articles`` and ``/websub/{key}`` handlers
as the Kafka fetcher's faust views (services/fetcher/intake.py), on a small aiohttp app, and
the probes every worker's port has: ``/metrics`` (the same Prometheus metrics, one process),
``/health`` (= ``/ready``) and ``/live`` (docs/deploy.md, "Supervision and probes").

It listens where the Kafka fetcher does, on ``FRONTWIRE_WEB_HOST:FRONTWIRE_WEB_PORT`` (the
API and live page keep ``FRONTWIRE_API_*``), under the same rule: on an address beyond
loopback it needs ``FRONTWIRE_PUSH_TOKEN``, else it does not start (`check_exposure`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.fetcher.intake import (
    Incoming,
    PushIntake,
    Reply,
    WebSubIntake,
    read_limited,
    refused,
)
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from services.fetcher.websub import Subscriber
from shared.observability import get_logger
from shared.records import RawArticle
from shared.settings import Settings, SettingsError
from shared.web_guard import RequestPolicy, check_exposure

log = get_logger(__name__)

# What the process says of itself: {"ready": bool, "live": bool, ...} (see `add_probes`).
ProbeState = Callable[[], Mapping[str, Any]]


def incoming(request: web.Request) -> Incoming:
    async def read(limit: int) -> bytes:
        return await read_limited(request.headers, request.content, limit)

    return Incoming(request.method, request.path, request.headers, dict(request.query), read)


def answer(reply: Reply) -> web.Response:
    if reply.json is not None:
        return web.json_response(reply.json, status=reply.status)
    return web.Response(text=reply.text, status=reply.status)


def add_probes(app: web.Application, policy: RequestPolicy, service: str,
               state: ProbeState) -> None:
    """``/metrics``, ``/health`` (= ``/ready``: 200 when ``state()["ready"]``, else 503) and
    ``/live`` (200 when ``state()["live"]``), behind the same Host/Origin guard as the rest:
    a rebinding page must not read them either."""

    async def metrics(request: web.Request) -> web.Response:
        if (refusal := refused(policy, incoming(request))) is not None:
            return answer(refusal)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    def probe(key: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def view(request: web.Request) -> web.Response:
            if (refusal := refused(policy, incoming(request))) is not None:
                return answer(refusal)
            now = {"service": service, **state()}
            return web.json_response(now, status=200 if now[key] else 503)

        return view

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health", probe("ready"))
    app.router.add_get("/ready", probe("ready"))
    app.router.add_get("/live", probe("live"))


def make_intake_app(push: PushIntake, websub: WebSubIntake | None = None) -> web.Application:
    # The handlers stream and bound the body themselves (read_limited).
    app = web.Application()

    async def post_article(request: web.Request) -> web.Response:
        return answer(await push.post(incoming(request)))

    app.router.add_post("/articles", post_article)
    if websub is not None:
        sub = websub

        async def verify(request: web.Request) -> web.Response:
            return answer(await sub.get(request.match_info["key"], incoming(request)))

        async def deliver(request: web.Request) -> web.Response:
            return answer(await sub.post(request.match_info["key"], incoming(request)))

        app.router.add_get("/websub/{key}", verify)
        app.router.add_post("/websub/{key}", deliver)
    return app


async def serve_intake(
    settings: Settings, push: PushIntake, websub: WebSubIntake | None = None,
    state: ProbeState | None = None,
) -> web.AppRunner:
    """Serve the intake (and, with ``state``, the probes) on web_host:web_port (0: any free
    port); stop with cleanup()."""
    check_exposure(settings, ("fetcher",))  # no push token beyond loopback: refuse
    app = make_intake_app(push, websub)
    if state is not None:
        policy = RequestPolicy.from_settings(settings, body_types=None)
        add_probes(app, policy, "embedded", state)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(
            f"cannot listen on FRONTWIRE_WEB_HOST:FRONTWIRE_WEB_PORT (web_host, web_port) "
            f"{settings.web_host}:{settings.web_port} for POST /articles, WebSub and probes "
            f"({exc}); "
            "pick a free port (0: any)"
        ) from None
    except BaseException:
        await runner.cleanup()
        raise
    port = int(runner.addresses[0][1])
    log.info(
        "intake_started", url=f"http://{settings.web_host}:{port}/articles",
        token_required=settings.push_token is not None, websub=websub is not None,
        metrics=f"http://{settings.web_host}:{port}/metrics" if state is not None else None,
    )
    return runner


class EmbeddedIntake:
    """Embedded mode's push endpoint and WebSub callbacks, handing every article to ``emit``:
    into the same in-process pipeline, dedup stage first, as polled articles. ``subscriber``
    is the fetch stage's own (it subscribes at the hubs the polls find; the callbacks must
    check keys and signatures with the same master secret). With ``state``, the same port
    serves /metrics, /health, /ready and /live."""

    def __init__(
        self, settings: Settings, sources: Sequence[Source], poller: Callable[[], FeedPoller],
        subscriber: Subscriber | None, emit: Callable[[RawArticle], Awaitable[object]],
        state: ProbeState | None = None,
    ) -> None:
        self.settings = settings
        self.state = state

        async def received(article: RawArticle) -> None:
            log.info("article_received", source=article.source, url=article.url)
            await emit(article)

        self.push = PushIntake(settings, received)
        self.websub = None if subscriber is None else WebSubIntake(
            settings, subscriber, sources, poller, received
        )
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        self.runner = await serve_intake(self.settings, self.push, self.websub, self.state)

    async def aclose(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self.websub is not None:
            await self.websub.aclose()
