"""Sitemaps, page sources, per-source overrides, robots.txt 5xx and Crawl-delay, multi-member
gzip — against a real loopback server."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from aiohttp import web

from services.fetcher.http import HttpFetcher
from services.fetcher.local_state import MemoryFetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from tests.integration.fetcher.conftest import LoopbackServer

pytestmark = pytest.mark.asyncio
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _reply(body: str, ctype: str = "application/xml", etag: str | None = None):  # type: ignore[no-untyped-def]
    async def handler(request: web.Request) -> web.Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=body, content_type=ctype, headers={"ETag": etag} if etag else None)

    return handler


def _page(server: LoopbackServer, path: str) -> None:
    server.route(path, _reply(f"<html><p>{path}</p></html>", "text/html"))


async def test_sitemap_index_children_and_news_sitemap(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    news = (
        f'<urlset xmlns="{SM}" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>/n/1</loc><news:news><news:title>One</news:title>"
        "<news:publication_date>2025-07-14T09:00:00Z</news:publication_date></news:news>"
        f"</url></urlset>"
    )
    plain = f'<urlset xmlns="{SM}"><url><loc>/p/1</loc></url><url><loc>/n/1</loc></url></urlset>'
    index = (
        f'<sitemapindex xmlns="{SM}"><sitemap><loc>/news.xml</loc></sitemap>'
        "<sitemap><loc>/plain.xml</loc></sitemap></sitemapindex>"
    )
    server.route("/sitemap.xml", _reply(index, etag='"i1"'))
    server.route("/news.xml", _reply(news, etag='"n1"'))
    server.route("/plain.xml", _reply(plain, etag='"p1"'))
    for path in ("/n/1", "/p/1"):
        _page(server, path)
    poller = FeedPoller(fetcher, MemoryFetchState())
    source = Source("sm", server.url("/sitemap.xml"), type="sitemap")
    articles = await poller.poll(source)
    assert sorted(a.url for a in articles) == [server.url("/n/1"), server.url("/p/1")]
    assert {a.url: a.title_hint for a in articles}[server.url("/n/1")] == "One"
    assert await poller.poll(source) == []  # index 304: children not even asked
    assert server.hits["/news.xml"] == 1 and server.hits["/n/1"] == 1


async def test_page_source_emitted_once_with_its_own_user_agent(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    server.route("/live.html", _reply("<html><p>live</p></html>", "text/html", '"l1"'))
    poller = FeedPoller(fetcher, MemoryFetchState())
    source = Source(
        "live", server.url("/live.html"), type="page", user_agent="special/1.0", timeout_s=3
    )
    assert [a.url for a in await poller.poll(source)] == [server.url("/live.html")]
    assert await poller.poll(source) == []
    page_requests = [r for r in server.requests if r.path == "/live.html"]
    assert page_requests[-1].headers["If-None-Match"] == '"l1"'
    assert {r.headers["User-Agent"] for r in page_requests} == {"special/1.0"}


async def test_robots_5xx_disallows_everything(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    server.route("/robots.txt", lambda r: asyncio.sleep(0, web.Response(status=503)))
    server.route("/feed.xml", _reply("<rss version='2.0'><channel></channel></rss>"))
    poller = FeedPoller(fetcher, MemoryFetchState())
    assert await poller.poll(Source("f", server.url("/feed.xml"))) == []
    assert "/feed.xml" not in server.hits


async def test_crawl_delay_sets_the_hosts_gap(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    server.route("/robots.txt", _reply("User-agent: *\nCrawl-delay: 7\n", "text/plain"))
    poller = FeedPoller(fetcher, MemoryFetchState())
    assert poller.robots is not None
    assert await poller.robots.allowed(server.url("/x"))
    assert fetcher.gates.state("127.0.0.1").min_delay_s == 7.0


async def test_multi_member_gzip(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    body = gzip.compress(b"first member, ") + gzip.compress(b"second member")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"}
        )

    server.route("/two.txt", handler)
    resp = await fetcher.get(server.url("/two.txt"))
    assert resp.body == b"first member, second member"
