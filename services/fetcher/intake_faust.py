"""The fetcher worker's HTTP endpoints as faust views: ``POST /articles`` (pushed articles)
and ``/websub/{key}`` (WebSub intent verification GET and content distribution POST).

Thin adapters: the handlers, the request guard in front of them and every refusal (403
foreign Host/Origin, 415 wrong type, 401 token, 413 too large, WebSub refusing any Origin)
are runtime-neutral, in services/fetcher/intake.py; embedded mode serves the same handlers
on aiohttp (services/fetcher/intake_aiohttp.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import faust
from faust.web import View

from services.fetcher.intake import (
    MAX_PUSH_BYTES,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    MAX_WEBSUB_BYTES,
    PUSH_TYPES,
    BadPush,
    Emitter,
    Incoming,
    PushIntake,
    Reply,
    TooLarge,
    WebSubIntake,
    authorised,
    make_subscriber,
    pushed,
    read_limited,
)
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from services.fetcher.websub import Subscriber
from shared.settings import Settings

__all__ = [  # the handlers' names, kept importable from here
    "MAX_PUSH_BYTES", "MAX_TITLE_CHARS", "MAX_URL_CHARS", "MAX_WEBSUB_BYTES", "PUSH_TYPES",
    "BadPush", "Emitter", "TooLarge", "add_push_view", "add_websub_view", "authorised",
    "make_subscriber", "pushed", "read_limited",
]


def incoming(request: Any) -> Incoming:
    """A faust (aiohttp underneath) request as the handlers see it."""

    async def read(limit: int) -> bytes:
        return await read_limited(request.headers, request.content, limit)

    return Incoming(request.method, request.path, request.headers, dict(request.query), read)


def answer(view: View, reply: Reply) -> Any:
    if reply.json is not None:
        return view.json(reply.json, status=reply.status)
    return view.text(reply.text, status=reply.status)


def add_push_view(app: faust.App, settings: Settings, emit: Emitter) -> None:
    intake = PushIntake(settings, emit)

    @app.page("/articles")
    class PushArticle(View):
        """POST an article (JSON {url, html|text, title} or a bare HTML body)."""

        async def post(self, request: Any) -> Any:
            return answer(self, await intake.post(incoming(request)))


def add_websub_view(
    app: faust.App, settings: Settings, sub: Subscriber, sources: Sequence[Source],
    poller: Callable[[], FeedPoller], emit: Emitter,
) -> None:
    intake = WebSubIntake(settings, sub, sources, poller, emit)

    @app.page("/websub/{key}")
    class WebSubCallback(View):
        async def get(self, request: Any, key: str) -> Any:
            return answer(self, await intake.get(key, incoming(request)))

        async def post(self, request: Any, key: str) -> Any:
            return answer(self, await intake.post(key, incoming(request)))
