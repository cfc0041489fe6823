"""FeedPoller end to end against a loopback server: new items, 304s, robots, restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from services.fetcher.http import HttpFetcher
from services.fetcher.local_state import MemoryFetchState, SqliteFetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source
from services.fetcher.urls import article_id
from tests.integration.fetcher.conftest import LoopbackServer, make_fetcher

pytestmark = pytest.mark.asyncio


def rss(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>Story {p}</title><link>{base}{p}?utm_source=rss</link>"
        f"<pubDate>Mon, 14 Jul 2025 09:30:00 GMT</pubDate></item>"
        for p in paths
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{items}</channel></rss>"


class Site:
    """A feed with an ETag, its pages, and an optional robots.txt."""

    def __init__(self, server: LoopbackServer, pages: list[str], robots: str | None = None):
        self.server, self.pages, self.version = server, pages, 1
        server.route("/feed.xml", self.feed)
        for p in pages:
            server.route(p, self.page)
        if robots is not None:
            server.route("/robots.txt", lambda r: asyncio.sleep(0, web.Response(text=robots)))

    async def feed(self, request: web.Request) -> web.Response:
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = rss(self.server.base, self.pages)
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def page(self, request: web.Request) -> web.Response:
        if request.path.endswith(".png"):
            return web.Response(body=b"\x89PNG", content_type="image/png")
        return web.Response(text=f"<html><p>{request.path}</p></html>", content_type="text/html")

    def add(self, path: str) -> None:
        self.pages.append(path)
        self.server.route(path, self.page)
        self.version += 1


async def test_poll_new_then_not_modified_then_changed(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    site = Site(server, ["/a", "/b", "/pic.png"])
    source = Source("loop", server.url("/feed.xml"))
    poller = FeedPoller(fetcher, MemoryFetchState())
    first = await poller.poll(source)
    assert sorted(a.url for a in first) == [server.url("/a"), server.url("/b")]
    art = next(a for a in first if a.url.endswith("/a"))
    assert art.id == article_id(server.url("/a?utm_source=rss"))
    assert (art.source, art.content_type, art.title_hint) == (source.url, "text/html", "Story /a")
    assert art.published_hint == "2025-07-14T09:30:00+00:00"
    assert "<p>/a</p>" in art.body and art.stamps["fetched"] > 0

    assert await poller.poll(source) == []  # 304
    assert server.hits["/a"] == 1 and server.hits["/pic.png"] == 1  # skipped for good

    site.add("/c")
    third = await poller.poll(source)
    assert [a.url for a in third] == [server.url("/c")]
    assert server.hits["/a"] == 1


async def test_robots_disallow_honoured(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    Site(server, ["/open/1", "/private/2"], robots="User-agent: *\nDisallow: /private/\n")
    poller = FeedPoller(fetcher, MemoryFetchState())
    articles = await poller.poll(Source("loop", server.url("/feed.xml")))
    assert [a.url for a in articles] == [server.url("/open/1")]
    assert "/private/2" not in server.hits
    assert server.hits["/robots.txt"] == 1  # cached per host


async def test_robots_disallowing_the_feed(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    Site(server, ["/a"], robots="User-agent: frontwire-test\nDisallow: /\n")
    poller = FeedPoller(fetcher, MemoryFetchState())
    assert await poller.poll(Source("loop", server.url("/feed.xml"))) == []
    assert "/feed.xml" not in server.hits


async def test_malformed_feed_and_failures_do_not_raise(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    bad = "<?xml version='1.0'?><rss version='2.0'><channel><title>x<item>"
    server.route("/bad.xml", lambda r: asyncio.sleep(0, web.Response(text=bad)))
    server.route("/boom.xml", lambda r: asyncio.sleep(0, web.Response(status=500)))
    poller = FeedPoller(fetcher, MemoryFetchState())
    assert await poller.poll(Source("bad", server.url("/bad.xml"))) == []
    assert await poller.poll(Source("boom", server.url("/boom.xml"))) == []
    assert await poller.poll(Source("private", "http://10.0.0.1/feed.xml")) == []


async def test_transient_page_failure_retried_on_next_poll(
    server: LoopbackServer, fetcher: HttpFetcher
) -> None:
    site = Site(server, ["/a", "/flaky"])
    calls = {"n": 0}

    async def flaky(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=502)
        return web.Response(text="<p>ok now</p>", content_type="text/html")

    server.route("/flaky", flaky)
    poller = FeedPoller(fetcher, MemoryFetchState())
    source = Source("loop", server.url("/feed.xml"))
    assert [a.url for a in await poller.poll(source)] == [server.url("/a")]
    await asyncio.sleep(0.1)  # let the (tiny, test-configured) host back-off pass
    assert [a.url for a in await poller.poll(source)] == [server.url("/flaky")]
    assert site.version == 1 and server.hits["/a"] == 1


async def test_restart_keeps_validators_and_seen_set(
    server: LoopbackServer, tmp_path: Path
) -> None:
    site = Site(server, ["/a", "/b"])
    source = Source("loop", server.url("/feed.xml"))
    db = tmp_path / "fetcher.db"
    for expected, change in ((2, False), (0, False), (1, True)):  # each: a fresh "process"
        if change:
            site.add("/c")
        fetcher, state = make_fetcher(), SqliteFetchState(db)
        try:
            assert len(await FeedPoller(fetcher, state).poll(source)) == expected
        finally:
            await fetcher.aclose()
            state.close()
        if expected == 0:  # validators survived: the feed answered 304
            assert server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert server.hits["/feed.xml"] == 3
    assert server.hits["/a"] == server.hits["/b"] == server.hits["/c"] == 1  # seen-set survived
