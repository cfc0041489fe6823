"""Shared fetch state over a real Kafka broker: after the polling leader is killed (-9), the
other fetcher takes over with the old leader's validators and seen keys.

One loopback feed, served with an ETag (304 on a match), and its pages; the server logs every
request. The new leader's first poll of the feed must be conditional (If-None-Match of the old
leader's last poll), and no article page may be fetched twice over the whole run — including
after the feed changed under the new leader. Waits are bounded; nothing asserts on time.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.fetcher.urls import article_id, canonical_url
from tests.support.cluster import Workers
from tests.support.http import LoopbackServer
from tests.support.kafka import read_keys

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FEED = "/feed.xml"


@dataclass(frozen=True)
class Request:
    path: str
    if_none_match: str | None


class FeedSite(LoopbackServer):
    """A feed with an ETag (304 when If-None-Match matches) and its pages; logs requests."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.etag = ""
        self.log: list[Request] = []
        self.lock = threading.Condition()
        super().__init__(_FeedHandler)

    def publish(self, pages: list[str], etag: str) -> None:
        with self.lock:
            self.pages, self.etag = list(pages), etag

    def feed(self) -> tuple[bytes, str]:
        with self.lock:
            items = "".join(
                f"<item><title>{p}</title><link>{self.url}{p}</link></item>" for p in self.pages
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            return (body + "</channel></rss>").encode(), self.etag

    def record(self, request: Request) -> None:
        with self.lock:
            self.log.append(request)
            self.lock.notify_all()

    def snapshot(self) -> list[Request]:
        with self.lock:
            return list(self.log)

    def wait_for(self, done: Callable[[list[Request]], bool], timeout: float) -> list[Request]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not done(self.log) and time.monotonic() < deadline:
                self.lock.wait(0.5)
            return list(self.log)


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        site: FeedSite = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        site.record(Request(path, self.headers.get("If-None-Match")))
        if path == FEED:
            body, etag = site.feed()
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", etag=etag)
            else:
                self._answer(200, body, "application/rss+xml", etag)
        elif path.startswith("/world/"):
            self._answer(200, f"<html><p>{path}</p></html>".encode(), "text/html")
        else:
            self._answer(404, b"", "text/plain")

    def _answer(self, status: int, body: bytes, ctype: str = "", etag: str = "") -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


PAGES_V1 = [f"/world/story-{n}.html" for n in range(6)]
PAGES_V2 = [*PAGES_V1, "/world/story-6.html"]


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with FeedSite() as served:
        assert isinstance(served, FeedSite)
        served.publish(PAGES_V1, '"feed-v1"')
        yield served


def _polls(workers: Workers) -> float:
    text = httpx.get(f"{workers.url('fetcher')}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("frontwire_fetcher_polls_total{")
    )


def test_new_leader_polls_conditionally_and_fetches_no_page_twice(
    kafka_bootstrap: str, tmp_path: Path, site: FeedSite
) -> None:
    feed_url = f"{site.url}{FEED}"
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"sources:\n  - name: loopback\n    url: {feed_url}\n    interval_s: 10\n")
    env = {
        "FRONTWIRE_FEEDS_FILE": str(feeds),
        "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
        "FRONTWIRE_PARTITIONS": "2",
    }
    first = Workers(kafka_bootstrap, tmp_path / "a", env_extra=env)
    second = Workers(kafka_bootstrap, tmp_path / "b", env_extra=env, prefix=first.prefix)
    for w in (first, second):
        w.workdir.mkdir(parents=True)
    state_topic = f"{first.prefix}.fetch.state"
    ids = [article_id(canonical_url(f"{site.url}{p}")) for p in PAGES_V2]
    try:
        first.start("fetcher")
        second.start("fetcher")
        # The leader's first poll, and its state on the topic (so a kill loses none of it).
        want = {f"v:{feed_url}", *(f"s:{i}" for i in ids[: len(PAGES_V1)])}
        got = set(asyncio.run(read_keys(kafka_bootstrap, state_topic, want)))
        assert want <= got, (sorted(want - got), first.log("fetcher"), second.log("fetcher"))

        polled = [w for w in (first, second) if _polls(w) > 0]
        assert len(polled) == 1, "exactly one instance (the leader) polls"
        leader = polled[0]
        survivor = second if leader is first else first
        before = len(site.snapshot())
        leader.kill("fetcher")
        site.publish(PAGES_V2, '"feed-v2"')  # one new item for the new leader to fetch

        log = site.wait_for(
            lambda rs: any(r.path == PAGES_V2[-1] for r in rs[before:]), timeout=150
        )
        assert survivor.procs["fetcher"].poll() is None, survivor.log("fetcher")
    finally:
        first.stop_all()
        second.stop_all()

    after = [r for r in log[before:] if r.path == FEED]
    assert after, ("the survivor never polled the feed", survivor.log("fetcher"))
    assert after[0].if_none_match == '"feed-v1"', after[0]  # conditional, with the old ETag
    pages = Counter(r.path for r in log if r.path.startswith("/world/"))
    assert set(pages) == set(PAGES_V2), pages
    assert max(pages.values()) == 1, {p: n for p, n in pages.items() if n > 1}
