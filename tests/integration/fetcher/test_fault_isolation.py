"""Fault isolation against a real loopback server: every hostile source of issue 11 next to a
good one. The good article is handed on, the bad sources are counted and backed off, nothing
raises out of a poll, and an article is marked seen only once it was handed on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from services.fetcher.local_state import MemoryFetchState, SqliteFetchState
from services.fetcher.parsing import PooledParser
from services.fetcher.poller import FeedPoller
from services.fetcher.polling import run_due
from services.fetcher.schedule import Schedule
from services.fetcher.sources import Source
from shared.records import RawArticle
from tests.integration.fetcher.conftest import make_fetcher
from tests.support.hostile import (
    CHARSETS,
    FAILING_FEEDS,
    HOSTILE_FEEDS,
    broken_feed,
    good_pages,
    hostile_site,
)
from tests.support.http import StaticSite

pytestmark = pytest.mark.asyncio


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def site() -> Iterator[StaticSite]:
    with hostile_site() as served:
        yield served


def _sources(site: StaticSite, feeds: tuple[str, ...]) -> list[Source]:
    return [Source(f"s{i}", f"{site.url}{feed}", interval_s=60) for i, feed in enumerate(feeds)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_hostile_sources_next_to_a_good_one(site: StaticSite) -> None:
    clock, emitted = Clock(), []
    sources = _sources(site, (*HOSTILE_FEEDS, "/good.xml"))
    schedule = Schedule(sources, clock=clock, rng=lambda: 0.5, spread_s=0)
    fetcher = make_fetcher()
    poller = FeedPoller(fetcher, MemoryFetchState())

    async def emit(article: RawArticle) -> None:
        emitted.append(article)

    malformed = _count("frontwire_fetcher_polls_total", outcome="malformed")
    try:
        assert await run_due(poller, schedule, emit) == len(sources)
    finally:
        poller.close()
        await fetcher.aclose()
    urls = {a.url for a in emitted}
    assert f"{site.url}/good.txt" in urls
    # Pages served with a charset that is no text encoding are still read, as UTF-8.
    for name in CHARSETS:
        assert f"{site.url}/cs/{name}-header.html" in urls
        assert f"{site.url}/cs/{name}-meta.html" in urls
    assert {f"{site.url}/dated-1.html", f"{site.url}/dated-2.html"} <= urls
    assert all(a.published_hint is None for a in emitted if "dated" in a.url)
    assert f"{site.url}/quadratic.html" in urls
    # Each failing feed is counted as malformed and backed off; the others are not.
    assert _count("frontwire_fetcher_polls_total", outcome="malformed") - malformed == len(
        FAILING_FEEDS)
    failing = {f"{site.url}{feed}" for feed in FAILING_FEEDS}
    for source in sources:
        slot = schedule.slots[source.url]
        assert slot.failures == (1 if source.url in failing else 0), source.url


async def test_a_source_whose_poll_crashes_is_backed_off_again_and_again(
    site: StaticSite,
) -> None:
    class Exploding(MemoryFetchState):
        def get_validators(self, url: str) -> tuple[str | None, str | None] | None:
            if url.endswith("/charsets.xml"):
                raise RuntimeError("boom")
            return super().get_validators(url)

    clock, emitted = Clock(), []
    sources = _sources(site, ("/charsets.xml", "/good.xml"))
    schedule = Schedule(sources, clock=clock, rng=lambda: 0.5, spread_s=0)
    fetcher = make_fetcher()
    poller = FeedPoller(fetcher, Exploding())

    async def emit(article: RawArticle) -> None:
        emitted.append(article)

    crashes = _count("frontwire_fetcher_errors_total", kind="poll")
    delays = []
    try:
        for _ in range(3):
            clock.now += 10_000
            await run_due(poller, schedule, emit)
            delays.append(schedule.slots[sources[0].url].due - clock.now)
    finally:
        poller.close()
        await fetcher.aclose()
    assert _count("frontwire_fetcher_errors_total", kind="poll") - crashes == 3
    assert delays == sorted(delays) and delays[0] < delays[-1]  # exponential back-off
    assert [a.url for a in emitted] == [f"{site.url}/good.txt"]  # once: then it is seen


async def test_an_article_is_seen_only_once_handed_on(site: StaticSite) -> None:
    fetcher = make_fetcher()
    state = MemoryFetchState()
    poller = FeedPoller(fetcher, state)
    source = Source("good", f"{site.url}/good.xml")
    try:
        batch = await poller.poll_batch(source)
        assert [a.url for a in batch.articles] == [f"{site.url}/good.txt"]

        async def refuse(article: RawArticle) -> None:
            raise ConnectionError("downstream is down")

        assert await poller.hand_on(batch, refuse) == 0
        assert not state.seen(batch.articles[0].id)
        assert state.get_validators(source.url) is None  # the feed is read again
        again = await poller.poll(source)  # the next poll fetches it again: nothing lost
        assert [a.url for a in again] == [f"{site.url}/good.txt"]
        assert state.seen(again[0].id)
        assert await poller.poll(source) == []
    finally:
        poller.close()
        await fetcher.aclose()


class DiskFull(SqliteFetchState):
    """A seen-set on a disk that filled up: every write fails as SQLite reports it."""

    def add(self, key: str) -> None:
        raise sqlite3.OperationalError("database or disk is full")


async def test_a_full_disk_in_the_seen_set_loses_no_article(
    site: StaticSite, tmp_path: Path,
) -> None:
    fetcher = make_fetcher()
    poller = FeedPoller(fetcher, DiskFull(tmp_path / "fetcher.sqlite"))
    emitted: list[RawArticle] = []
    sources = _sources(site, ("/good.xml", "/dates.json"))
    schedule = Schedule(sources, rng=lambda: 0.5, spread_s=0)

    async def emit(article: RawArticle) -> None:
        emitted.append(article)

    errors = _count("frontwire_fetcher_errors_total", kind="state")
    try:
        await run_due(poller, schedule, emit)
    finally:
        poller.close()
        await fetcher.aclose()
    assert {a.url for a in emitted} == {f"{site.url}/good.txt", f"{site.url}/dated-1.html",
                                        f"{site.url}/dated-2.html"}
    assert _count("frontwire_fetcher_errors_total", kind="state") - errors == 3


async def test_a_feed_over_its_parse_budget_is_stopped_and_others_go_on() -> None:
    with StaticSite() as site:
        # Under the lenient parser's size cap, so only the budget can stop it.
        site.pages["/slow.xml"] = ("application/rss+xml", broken_feed(900_000))
        site.pages.update(good_pages(site.url))
        fetcher = make_fetcher()
        poller = FeedPoller(fetcher, MemoryFetchState(), parser=PooledParser(budget_s=0.5))
        emitted: list[RawArticle] = []

        async def emit(article: RawArticle) -> None:
            emitted.append(article)

        sources = _sources(site, ("/slow.xml", "/good.xml"))
        schedule = Schedule(sources, rng=lambda: 0.5, spread_s=0)
        timeouts = _count("frontwire_fetcher_errors_total", kind="parse_timeout")
        try:
            await run_due(poller, schedule, emit)
        finally:
            poller.close()
            await fetcher.aclose()
    assert _count("frontwire_fetcher_errors_total", kind="parse_timeout") - timeouts == 1
    assert [a.url for a in emitted] == [f"{site.url}/good.txt"]
    assert schedule.slots[sources[0].url].failures == 1
