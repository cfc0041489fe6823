"""A real aiohttp server on 127.0.0.1 (ephemeral port) whose routes each test sets up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from aiohttp import web

from services.fetcher.hosts import HostPolicy
from services.fetcher.http import HttpFetcher
from tests.support.aio import serve_app

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[web.Request] = []
        self.base = ""

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def url(self, path: str) -> str:
        return self.base + path

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        self.requests.append(request)
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", srv.dispatch)
    async with serve_app(app) as srv.base:
        yield srv


def make_fetcher(**kw: object) -> HttpFetcher:
    policy = HostPolicy(
        concurrency=4,
        min_delay_s=0.0,
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        failure_threshold=3,
        open_s=60.0,
        max_wait_s=1.0,
    )
    args: dict[str, object] = {
        "user_agent": "frontwire-test/0.1",
        "allow_hosts": ("127.0.0.1",),
        "timeout_s": 2.0,
        "host_policy": policy,
    }
    args.update(kw)
    return HttpFetcher(**args)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def fetcher() -> AsyncIterator[HttpFetcher]:
    f = make_fetcher()
    yield f
    await f.aclose()
