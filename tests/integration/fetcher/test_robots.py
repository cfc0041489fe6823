"""robots.txt against loopback servers: a 404 allows everything and is no fetch error; the
cache is bounded by origin."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from prometheus_client import REGISTRY

from services.fetcher.http import HttpFetcher
from services.fetcher.local_state import MemoryFetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.robots import RobotsCache
from services.fetcher.sources import Source
from tests.integration.fetcher.conftest import LoopbackServer
from tests.integration.fetcher.test_poller import Site
from tests.support.aio import serve_app

pytestmark = pytest.mark.asyncio


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_robots_404_allows_all_and_is_not_a_fetch_error(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    Site(server, ["/a", "/b"])  # no robots.txt route: the server answers 404
    errors = sample("frontwire_fetcher_errors_total", kind="http_4xx")
    absent = sample("frontwire_fetches_total", kind="robots", outcome="absent")
    failed = sample("frontwire_fetches_total", kind="robots", outcome="http_4xx")

    articles = await FeedPoller(fetcher, MemoryFetchState()).poll(
        Source("loop", server.url("/feed.xml"))
    )

    assert sorted(a.url for a in articles) == [server.url("/a"), server.url("/b")]
    assert server.hits["/robots.txt"] == 1
    assert sample("frontwire_fetches_total", kind="robots", outcome="absent") == absent + 1
    assert sample("frontwire_fetches_total", kind="robots", outcome="http_4xx") == failed
    assert sample("frontwire_fetcher_errors_total", kind="http_4xx") == errors


async def test_robots_cache_keeps_at_most_max_entries_origins(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    other = LoopbackServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", other.dispatch)
    rules = "User-agent: *\nDisallow: /private/\n"
    for srv in (server, other):
        srv.route("/robots.txt", lambda r: asyncio.sleep(0, web.Response(text=rules)))
    async with serve_app(app) as other.base:
        cache = RobotsCache(fetcher, fetcher.user_agent, max_entries=1)
        assert await cache.allowed(server.url("/a"))
        assert not await cache.allowed(server.url("/private/x"))  # cached: no second fetch
        assert server.hits["/robots.txt"] == 1
        assert await cache.allowed(other.url("/a"))  # the first origin is dropped for it
        assert len(cache) == 1
        assert await cache.allowed(server.url("/b"))
        assert server.hits["/robots.txt"] == 2 and other.hits["/robots.txt"] == 1
        assert len(cache) == 1 and not cache._locks
