"""Two fetcher workers over a real Kafka broker: each article reaches articles.raw once, and
the push endpoint is authenticated and size-limited.

Both instances are configured with the same loopback feed and receive the same pushes (some
for the very pages the feed lists); the dedup hop (fetch.dedup + changelogged table) must let
each article id through exactly once. Waits are bounded; nothing asserts on time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.fetcher.urls import article_id, canonical_url
from tests.support.cluster import Workers
from tests.support.http import StaticSite
from tests.support.kafka import read_keys

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

TOKEN = "s3cret-push-token"
FEED_PAGES = [f"/world/story-{n}.html" for n in range(6)]


def _rss(base: str) -> bytes:
    items = "".join(
        f"<item><title>Story {p}</title><link>{base}{p}</link></item>" for p in FEED_PAGES
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    ).encode()


@pytest.fixture
def site() -> Iterator[StaticSite]:
    with StaticSite() as served:
        served.pages["/feed.xml"] = ("application/rss+xml", _rss(served.url))
        for path in FEED_PAGES:
            served.pages[path] = ("text/html", f"<html><p>{path}</p></html>".encode())
        yield served


def _pair(kafka: str, tmp_path: Path, feeds: Path) -> tuple[Workers, Workers]:
    env = {
        "FRONTWIRE_FEEDS_FILE": str(feeds),
        "FRONTWIRE_PUSH_TOKEN": TOKEN,
        "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
        "FRONTWIRE_PARTITIONS": "4",
    }
    first = Workers(kafka, tmp_path / "a", env_extra=env)
    second = Workers(kafka, tmp_path / "b", env_extra=env, prefix=first.prefix)
    for w in (first, second):
        w.workdir.mkdir(parents=True)
    return first, second


def _pushes(site: StaticSite) -> list[dict[str, str]]:
    own = [
        {"url": f"https://news.example.org/pushed/{n}", "text": f"Pushed story {n}."}
        for n in range(8)
    ]
    # The same pages the feed lists: a push and a poll of one article must not both pass.
    overlap = [{"url": f"{site.url}{p}", "html": f"<p>{p}</p>"} for p in FEED_PAGES[:3]]
    return own + overlap


def _push_checks(client: httpx.Client, url: str) -> None:
    body = {"url": "https://news.example.org/x", "text": "x"}
    assert client.post(f"{url}/articles", json=body).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post(f"{url}/articles", json=body, headers=wrong).status_code == 401
    big = {"url": "https://news.example.org/big", "text": "x" * 5_000_001}
    resp = client.post(f"{url}/articles", json=big, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 413, resp.text


def test_two_fetchers_emit_each_article_once(
    kafka_bootstrap: str, tmp_path: Path, site: StaticSite
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        f"sources:\n  - name: loopback\n    url: {site.url}/feed.xml\n    interval_s: 10\n"
    )
    first, second = _pair(kafka_bootstrap, tmp_path, feeds)
    pushes = _pushes(site)
    want = {article_id(canonical_url(p["url"])) for p in pushes}
    want |= {article_id(canonical_url(f"{site.url}{p}")) for p in FEED_PAGES}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        first.start("fetcher")
        second.start("fetcher")
        with httpx.Client(timeout=30) as client:
            _push_checks(client, first.url("fetcher"))
            for workers in (first, second, first):  # every article pushed three times
                for push in pushes:
                    resp = client.post(
                        f"{workers.url('fetcher')}/articles", json=push, headers=auth
                    )
                    assert resp.status_code == 202, resp.text
        topic = f"{first.prefix}.articles.raw"
        got = asyncio.run(read_keys(kafka_bootstrap, topic, want, settle_s=8.0))
        for workers in (first, second):
            assert workers.procs["fetcher"].poll() is None, workers.log("fetcher")
    finally:
        first.stop_all()
        second.stop_all()
    assert want <= set(got), (sorted(want - set(got)), first.log("fetcher"))
    assert set(got) == want
    assert max(got.values()) == 1, {k: n for k, n in got.items() if n > 1}
