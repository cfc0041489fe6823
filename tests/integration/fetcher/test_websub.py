"""WebSub against an emulated hub on loopback: the poller discovers the hub, we subscribe, the
hub verifies our intent with a challenge GET, then distributes signed content; a delivery
with a bad signature is refused and ingests nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from services.fetcher.http import HttpFetcher
from services.fetcher.local_state import MemoryFetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from services.fetcher.websub import Subscriber, subscribe
from tests.integration.fetcher.conftest import LoopbackServer
from tests.support.aio import serve_app
from tests.support.websub import Hub, serve_hub, websub_rss

pytestmark = pytest.mark.asyncio


def _callback_app(sub: Subscriber, poller: FeedPoller, got: list[Any]) -> web.Application:
    """The same Subscriber calls the faust view makes, on a plain aiohttp app."""

    async def get(request: web.Request) -> web.Response:
        status, text = sub.intent(request.match_info["key"], dict(request.query))
        return web.Response(status=status, text=text)

    async def post(request: web.Request) -> web.Response:
        body = await request.read()
        status, topic = sub.delivery(request.match_info["key"], body, dict(request.headers), {})
        if topic is not None:
            got.extend(await poller.ingest(Source("ws", topic), body, topic))
        return web.Response(status=status)

    app = web.Application()
    app.router.add_get("/websub/{key}", get)
    app.router.add_post("/websub/{key}", post)
    return app


@pytest_asyncio.fixture
async def hub() -> AsyncIterator[Hub]:
    async with serve_hub() as served:
        yield served


async def test_subscribe_verify_and_signed_delivery(
    server: LoopbackServer, fetcher: HttpFetcher, hub: Hub
) -> None:
    topic = server.url("/feed.xml")
    pages = [server.url(f"/p/{n}") for n in range(3)]
    for n in range(3):
        server.route(
            f"/p/{n}",
            lambda r: asyncio.sleep(
                0, web.Response(text=f"<p>{r.path}</p>", content_type="text/html")
            ),
        )
    server.route(
        "/feed.xml",
        lambda r: asyncio.sleep(
            0,
            web.Response(
                text=websub_rss(hub.url, topic, pages[:1]), content_type="application/rss+xml"
            ),
        ),
    )
    poller, got = FeedPoller(fetcher, MemoryFetchState()), []
    sub = Subscriber(b"master-secret", "")
    async with serve_app(_callback_app(sub, poller, got)) as sub.callback_base:
        assert len(await poller.poll(Source("ws", topic))) == 1
        assert poller.hubs[topic] == (hub.url, topic)
        assert await subscribe(fetcher, sub, hub.url, topic)
        async with asyncio.timeout(10):  # a bound, not a timing assertion
            while not hub.verified:
                await asyncio.sleep(0.01)
        assert hub.verified == [True] and not sub.needs_subscribe(topic)
        body = websub_rss(hub.url, topic, pages).encode()
        assert await hub.publish(topic, body, secret="forged") == 403
        assert got == []
        assert await hub.publish(topic, body) == 202
        assert sorted(a.url for a in got) == pages[1:]  # the first was seen at the poll


async def test_pushed_articles_are_seen_only_once_handed_on(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    topic = server.url("/feed.xml")
    pages = [server.url(f"/q/{n}") for n in range(2)]
    for n in range(2):
        server.route(f"/q/{n}", lambda r: asyncio.sleep(
            0, web.Response(text=f"<p>{r.path}</p>", content_type="text/html")))
    body = websub_rss("https://hub.example/", topic, pages).encode()
    poller = FeedPoller(fetcher, MemoryFetchState())

    async def broker_down(article: Any) -> None:
        raise ConnectionError("no broker")

    emitted: list[Any] = []

    async def broker_up(article: Any) -> None:
        emitted.append(article)

    await poller.ingest(Source("ws", topic), body, topic, broker_down)
    await poller.ingest(Source("ws", topic), body, topic, broker_up)  # the hub sends again
    assert sorted(a.url for a in emitted) == pages  # nothing was lost to the failed emit
    await poller.ingest(Source("ws", topic), body, topic, broker_up)
    assert len(emitted) == 2  # and once handed on, nothing is emitted twice
