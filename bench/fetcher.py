"""Fetcher benchmark: 1,000 feeds x 20 items on a loopback server, every feed polled twice.

The server runs in a child process (the other core); the client side runs on one core.
Between the two polls ~30% of the feeds gain new items; the other ~70% answer 304 to
frontwire's conditional GET. Frontwire is measured at feed level: conditional GET, parse,
canonicalise, seen-check, mark seen and store validators (pages are NOT fetched). The naive
baseline calls ``feedparser.parse(url)`` on each URL in turn and de-duplicates links in memory.

    python -m bench.fetcher [--feeds 1000] [--items 20] [--changed 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import feedparser
from aiohttp import web

from services.fetcher.hosts import HostPolicy
from services.fetcher.http import HttpFetcher
from services.fetcher.local_state import SqliteFetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source

SUMMARY = "Officials said the deployment would be completed within weeks, according to " * 3


def feed_xml(feed: int, version: int, items: int) -> bytes:
    """The feed's newest ``items`` entries; each version adds 3 new entries on top."""
    newest = version * 3 + items
    entries = "".join(
        f"<item><title>Feed {feed} story {n}</title>"
        f"<link>https://news{feed % 50}.example.com/world/{feed}/{n}?utm_source=rss</link>"
        f"<guid isPermaLink=\"false\">{feed}-{n}</guid><description>{SUMMARY}</description>"
        f"<pubDate>Mon, 14 Jul 2025 09:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(newest, newest - items, -1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {feed}</title><link>https://news.example.com/</link>"
            f"<description>bench</description>{entries}</channel></rss>").encode()


def _serve(port_out: mp.connection.Connection, items: int, changed: float) -> None:
    versions: dict[int, int] = {}
    cache: dict[tuple[int, int], bytes] = {}

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        version = versions.get(n, 0)
        etag = f'"{n}-{version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = cache.get((n, version))
        if body is None:
            body = cache[n, version] = feed_xml(n, version, items)
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def control(request: web.Request) -> web.Response:
        action, count = request.match_info["action"], int(request.query.get("feeds", "0"))
        if action == "reset":
            versions.clear()
        else:  # advance: a deterministic ~`changed` share of feeds gets new items
            for n in range(count):
                if (n * 7919) % 1000 < changed * 1000:
                    versions[n] = versions.get(n, 0) + 1
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feeds/{n}.xml", feed)
        app.router.add_get("/robots.txt", lambda r: asyncio.sleep(0, web.Response(status=404)))
        app.router.add_get("/control/{action}", control)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.send(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


async def _control(fetcher: HttpFetcher, base: str, action: str, feeds: int) -> None:
    await fetcher.get(f"{base}/control/{action}?feeds={feeds}", kind="bench")


async def run_frontwire(base: str, feeds: int, concurrency: int) -> dict[str, float]:
    policy = HostPolicy(concurrency=concurrency, min_delay_s=0.0, max_wait_s=30.0)
    fetcher = HttpFetcher(user_agent="frontwire-bench/0.1", allow_hosts=("127.0.0.1",),
                          host_policy=policy, max_connections=concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        state = SqliteFetchState(Path(tmp) / "bench.db")
        poller = FeedPoller(fetcher, state, robots=True)
        sources = [Source(f"feed{n}", f"{base}/feeds/{n}.xml") for n in range(feeds)]
        await _control(fetcher, base, "reset", feeds)
        totals = {"new": 0.0, "not_modified_2": 0.0, "seconds": 0.0}
        for round_no in (1, 2):
            if round_no == 2:
                await _control(fetcher, base, "advance", feeds)
            started = time.perf_counter()
            updates = await asyncio.gather(*(poller.check_feed(s) for s in sources))
            for update in updates:
                assert update is not None
                for new in update.items:
                    state.add(new.id)
                poller.commit(update)
                totals["new"] += len(update.items)
                if round_no == 2:
                    totals["not_modified_2"] += update.not_modified
            totals["seconds"] += time.perf_counter() - started
        state.close()
    await fetcher.aclose()
    return totals


def run_naive(base: str, feeds: int) -> dict[str, float]:
    seen: set[str] = set()
    totals = {"new": 0.0, "seconds": 0.0}
    for round_no in (1, 2):
        if round_no == 2:
            feedparser.parse(f"{base}/control/advance?feeds={feeds}")
        started = time.perf_counter()
        for n in range(feeds):
            parsed = feedparser.parse(f"{base}/feeds/{n}.xml")
            for entry in parsed.entries:
                if entry.link not in seen:
                    seen.add(entry.link)
                    totals["new"] += 1
        totals["seconds"] += time.perf_counter() - started
    return totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--changed", type=float, default=0.3, help="share of feeds that change")
    ap.add_argument("--concurrency", type=int, default=8, help="frontwire requests in flight")
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=_serve, args=(send, args.items, args.changed), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{recv.recv()}"
        fw = asyncio.run(run_frontwire(base, args.feeds, args.concurrency))
        feedparser.parse(f"{base}/control/reset?feeds={args.feeds}")
        naive = run_naive(base, args.feeds)
    finally:
        server.terminate()
        server.join()

    polls = 2 * args.feeds
    fw_fps, naive_fps = polls / fw["seconds"], polls / naive["seconds"]
    ratio = fw["not_modified_2"] / args.feeds
    print(f"feeds={args.feeds} items/feed={args.items} polls={polls} (2 rounds); "
          "frontwire: feed level only, pages not fetched; server in a child process")
    print(f"frontwire poller: {fw['seconds']:.2f} s  {fw_fps:,.0f} feeds/s  "
          f"{fw['new'] / fw['seconds']:,.0f} new items/s  new items={fw['new']:.0f}")
    print(f"naive feedparser.parse(url) loop: {naive['seconds']:.2f} s  {naive_fps:,.0f} feeds/s  "
          f"{naive['new'] / naive['seconds']:,.0f} new items/s  new items={naive['new']:.0f}")
    print(f"second round: {ratio:.0%} of feeds answered 304 Not Modified")
    print(f"fetcher feeds_per_s={fw_fps:.1f} naive_feeds_per_s={naive_fps:.1f} "
          f"not_modified_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
