"""Feed polling, transport-free: conditional GET of a feed, new items only, one page fetch per
new item, RawArticle out.

Fault isolation (``isolation.py``): a poll of one source, each page and each article handed on
are units of failure. Nothing raises out of ``poll_batch()`` or ``hand_on()``; the source's
own failure is in ``Batch.error`` (the scheduler backs the source off).

An article is marked seen only once it has been handed on (``hand_on``): a crash, a full disk
or a failing emit between fetching and handing on makes the next poll fetch it again, and the
stages after us (grouping, the delivery log, the dedup hop) stop a second alert. Validators
(ETag / Last-Modified) are stored only once every new item was handed on or failed for good,
so a transient failure makes the next poll re-read the feed and retry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from services.fetcher.feed_formats import FeedDoc, FeedError, FeedItem
from services.fetcher.http import FetchError, HttpFetcher, Response
from services.fetcher.isolation import failed, unit
from services.fetcher.local_state import FetchState
from services.fetcher.metrics import ARTICLES, ITEMS, POLLS
from services.fetcher.parsing import FeedParser, ParseCrash, ParseTimeout, PooledParser
from services.fetcher.robots import DEFAULT_MAX_ENTRIES, RobotsCache
from services.fetcher.sources import Source
from services.fetcher.text import decode_body
from services.fetcher.urls import article_id, body_id, canonical_url
from shared.observability import get_logger
from shared.records import RawArticle

log = get_logger("frontwire.fetcher")

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
MAX_CHILD_SITEMAPS = 20  # per index and poll; the newest come first in practice
SKIP_PREFIX = "skip:"  # seen-set prefix for items that failed for good (404, wrong type, ...)

Emit = Callable[[RawArticle], Awaitable[None]]


@dataclass(frozen=True)
class NewItem:
    item: FeedItem
    url: str  # canonical
    id: str


@dataclass
class FeedUpdate:
    source: Source
    not_modified: bool
    etag: str | None = None
    last_modified: str | None = None
    items: list[NewItem] = field(default_factory=list)
    total: int = 0  # items in the feed, seen or not
    children: list[FeedUpdate] = field(default_factory=list)  # a sitemap index's sitemaps


@dataclass
class Batch:
    """What one poll of a source brought: articles still to hand on, and what to remember
    once they are (their seen keys, the feed validators)."""

    source: Source
    articles: list[RawArticle] = field(default_factory=list)
    error: str | None = None  # the source itself failed: fetch error kind, malformed, crash
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # article id -> seen keys
    validators: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    retry: bool = False  # a page failed transiently: keep the old validators


class FeedPoller:
    def __init__(
        self, fetcher: HttpFetcher, state: FetchState, *, robots: bool = True,
        page_concurrency: int = 8, max_new_per_poll: int = 200,
        parser: FeedParser | None = None, robots_cache_max: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self.fetcher, self.state = fetcher, state
        self.robots = (
            RobotsCache(fetcher, fetcher.user_agent, max_entries=robots_cache_max)
            if robots else None
        )
        self.max_new_per_poll = max_new_per_poll
        self.parser: FeedParser = parser if parser is not None else PooledParser()
        self._pages = asyncio.Semaphore(page_concurrency)
        self.hubs: dict[str, tuple[str, str]] = {}  # source URL -> (WebSub hub, topic)

    def close(self) -> None:
        self.parser.close()

    # -- the two phases: poll, then hand on --------------------------------------------------

    async def poll_batch(self, source: Source) -> Batch:
        """Fetch what is new at ``source``; nothing is marked seen yet. Never raises."""
        batch = Batch(source)
        with unit("poll", source=source.name, url=source.url) as u:
            if source.type == "page":
                await self._poll_page(source, batch)
            else:
                update = await self._check(source, batch)
                if update is not None:
                    await self._fetch_into(update, batch)
        if u.failed:
            batch.error, batch.articles = "crash", []
        return batch

    async def hand_on(self, batch: Batch, emit: Emit) -> int:
        """Emit each article (its own unit of failure), mark it seen once emitted, and store
        the validators if every article went. Returns how many were handed on."""
        handed = 0
        for article in batch.articles:
            with unit("emit", source=batch.source.name, url=article.url) as sent:
                await emit(article)
            if sent.failed:
                batch.retry = True
                continue
            handed += 1
            with unit("state", source=batch.source.name, url=article.url) as marked:
                for key in batch.keys.get(article.id, (article.id,)):
                    self.state.add(key)
            batch.retry |= marked.failed
        if not batch.retry and batch.error is None:
            with unit("state", source=batch.source.name, url=batch.source.url):
                for url, etag, last_modified in batch.validators:
                    self.state.put_validators(url, etag, last_modified)
        return handed

    async def poll(self, source: Source) -> list[RawArticle]:
        """New articles of a feed, sitemap or page source, marked seen as they are returned
        (the caller takes them over); never raises."""
        batch = await self.poll_batch(source)
        taken: list[RawArticle] = []

        async def take(article: RawArticle) -> None:
            taken.append(article)

        await self.hand_on(batch, take)
        return taken

    async def ingest(self, source: Source, body: bytes, url: str, emit: Emit | None = None
                     ) -> list[RawArticle]:
        """Articles from a feed document pushed to us (WebSub content distribution): parse,
        keep unseen items, fetch their pages, hand them to ``emit`` (each marked seen only
        once handed on) or return them. FeedError when the body is no feed."""
        try:
            doc = await self.parser.parse(body, url)
        except (ParseTimeout, ParseCrash) as exc:
            raise FeedError(str(exc)) from exc
        update = FeedUpdate(source, True, total=len(doc.items))  # no validators to store
        update.items = self._unseen(doc.items)
        return await self.fetch_new(update, emit)

    async def fetch_new(self, update: FeedUpdate, emit: Emit | None = None
                        ) -> list[RawArticle]:
        """Fetch the pages of the update's new items and hand them to ``emit``, or take them
        over and return them (benchmarks, tests); polls go through ``poll_batch``."""
        batch = Batch(update.source)
        await self._fetch_into(update, batch)
        taken: list[RawArticle] = []

        async def take(article: RawArticle) -> None:
            if emit is not None:
                await emit(article)
            taken.append(article)

        await self.hand_on(batch, take)
        return taken

    # -- feeds -------------------------------------------------------------------------------

    async def _fetch_into(self, update: FeedUpdate, batch: Batch) -> None:
        news: dict[str, NewItem] = {}
        for new in (n for u in (update, *update.children) for n in u.items):
            news.setdefault(new.id, new)  # an URL in two child sitemaps: the first wins
        results = await asyncio.gather(*(self._page(update.source, n) for n in news.values()))
        for new, (article, retry) in zip(news.values(), results, strict=True):
            batch.retry |= retry
            if article is not None:
                batch.articles.append(article)
                batch.keys[article.id] = tuple(dict.fromkeys((new.id, article.id)))
        batch.validators.extend(_validators(update))

    async def check_feed(self, source: Source, *, depth: int = 0) -> FeedUpdate | None:
        """Conditional GET and parse of the feed; the unseen items, or None after an error.
        A 304 skips parsing altogether; a sitemap index brings its child sitemaps along."""
        return await self._check(source, Batch(source), depth=depth)

    async def _check(self, source: Source, batch: Batch, *, depth: int = 0) -> FeedUpdate | None:
        resp = await self._get_source(source, "feed", batch)
        if resp is None:
            return None
        if resp.not_modified:
            POLLS.labels("not_modified").inc()
            return FeedUpdate(source, True)
        doc = await self._parse(source, resp, batch)
        if doc is None:
            return None
        POLLS.labels("ok").inc()
        update = FeedUpdate(source, False, resp.etag, resp.last_modified, total=len(doc.items))
        update.items = self._unseen(doc.items)
        if doc.hub:
            self.hubs[source.url] = (doc.hub, doc.self_url or source.url)
        if doc.children and depth == 0:
            update.children = await self._children(source, doc, batch)
        return update

    async def _parse(self, source: Source, resp: Response, batch: Batch) -> FeedDoc | None:
        try:
            return await self.parser.parse(resp.body, resp.url)
        except FeedError as exc:
            POLLS.labels("malformed").inc()
            log.warning("feed_malformed", source=source.name, url=source.url, error=str(exc))
            batch.error = "malformed"
        except (ParseTimeout, ParseCrash) as exc:
            kind = "parse_timeout" if isinstance(exc, ParseTimeout) else "parse_crash"
            POLLS.labels(kind).inc()
            failed(kind, exc, source=source.name, url=source.url, bytes=len(resp.body))
            batch.error = kind
        return None

    async def _children(self, source: Source, doc: FeedDoc, batch: Batch) -> list[FeedUpdate]:
        subs = [replace(source, url=url, type="sitemap")
                for url in doc.children[:MAX_CHILD_SITEMAPS]]
        found = await asyncio.gather(*(self._check(sub, Batch(sub), depth=1) for sub in subs))
        return [child for child in found if child is not None]

    async def _get_source(self, source: Source, kind: str, batch: Batch) -> Response | None:
        """Conditional GET of the source's own URL; None (logged, counted) on any failure."""
        if not await self._robots_allow(source, source.url, "feed"):
            POLLS.labels("robots").inc()
            return None
        validators = self.state.get_validators(source.url) or (None, None)
        try:
            return await self.fetcher.get(
                source.url, etag=validators[0], last_modified=validators[1], kind=kind,
                user_agent=source.user_agent, timeout_s=source.timeout_s,
                accept_types=PAGE_TYPES if kind == "page" else None,
            )
        except FetchError as exc:
            POLLS.labels(exc.kind).inc()
            log.warning("feed_fetch_failed", source=source.name, url=source.url,
                        kind=exc.kind, error=str(exc))
            batch.error = exc.kind
            return None

    async def _poll_page(self, source: Source, batch: Batch) -> None:
        """A page source: the URL itself is the article, emitted once per article id."""
        resp = await self._get_source(source, "page", batch)
        if resp is None or resp.not_modified:
            POLLS.labels("not_modified" if resp else "failed").inc()
            return
        POLLS.labels("ok").inc()
        url = canonical_url(source.url)
        new = NewItem(FeedItem(url, None, None, None), url, article_id(url))
        article = self._article(source, new, resp.url, resp.body, resp.content_type,
                                resp.charset)
        fresh = not (self.state.seen(new.id) or self.state.seen(article.id))
        ITEMS.labels("new" if fresh else "seen").inc()
        batch.validators.append((source.url, resp.etag, resp.last_modified))
        if fresh:
            batch.articles.append(article)
            batch.keys[article.id] = tuple(dict.fromkeys((new.id, article.id)))

    def commit(self, update: FeedUpdate) -> None:
        """Remember the feed's validators so the next poll can be answered with a 304."""
        for url, etag, last_modified in _validators(update):
            self.state.put_validators(url, etag, last_modified)

    def _unseen(self, items: list[FeedItem]) -> list[NewItem]:
        fresh: dict[str, NewItem] = {}
        for item in items:
            url = canonical_url(item.url)
            key = article_id(url)
            if key in fresh or self.state.seen(key) or self.state.seen(SKIP_PREFIX + key):
                continue
            fresh[key] = NewItem(item, url, key)
        ITEMS.labels("seen").inc(len(items) - len(fresh))
        ITEMS.labels("new").inc(len(fresh))
        return list(fresh.values())[: self.max_new_per_poll]

    # -- pages -------------------------------------------------------------------------------

    async def _page(self, source: Source, new: NewItem) -> tuple[RawArticle | None, bool]:
        """(article or None, worth retrying later); one page is one unit of failure: a page
        that crashes its processing is given up (it would crash again on every poll)."""
        with unit("page", source=source.name, url=new.url) as u:
            return await self._fetch_page(source, new)
        if u.failed:
            with unit("state", source=source.name, url=new.url):
                self._give_up(new, "failed")
        return None, False

    async def _fetch_page(self, source: Source, new: NewItem) -> tuple[RawArticle | None, bool]:
        async with self._pages:
            try:
                if not await self._robots_allow(source, new.url, "page"):
                    self._give_up(new, "robots")
                    return None, False
                resp = await self.fetcher.get(
                    new.url, kind="page", accept_types=PAGE_TYPES,
                    user_agent=source.user_agent, timeout_s=source.timeout_s,
                )
            except FetchError as exc:
                log.warning("page_fetch_failed", source=source.name, url=new.url,
                            kind=exc.kind, error=str(exc))
                if exc.transient:
                    ITEMS.labels("failed").inc()
                    return None, True
                self._give_up(new, "skipped")
                return None, False
        article = self._article(source, new, resp.url, resp.body, resp.content_type, resp.charset)
        ITEMS.labels("fetched").inc()
        ARTICLES.labels(source.name).inc()
        return article, False

    def _give_up(self, new: NewItem, outcome: str) -> None:
        self.state.add(SKIP_PREFIX + new.id)
        ITEMS.labels(outcome).inc()

    @staticmethod
    def _article(
        source: Source, new: NewItem, final_url: str, body: bytes, ctype: str,
        charset: str | None,
    ) -> RawArticle:
        url = canonical_url(final_url)
        return RawArticle(
            id=article_id(url),
            url=url,
            source=source.url,
            content_type="text/plain" if ctype == "text/plain" else "text/html",
            body=decode_body(body, ctype, charset),
            title_hint=new.item.title,
            published_hint=new.item.published,
            stamps={"fetched": time.time()},
        )

    async def _robots_allow(self, source: Source, url: str, what: str) -> bool:
        """robots.txt verdict; a robots.txt we cannot reach raises FetchError like the fetch."""
        if self.robots is None:
            return True
        try:
            allowed = await self.robots.allowed(url)
        except FetchError:
            if what == "page":
                raise
            allowed = True  # the feed fetch itself will meet (and report) the same error
        if not allowed:
            log.info("robots_disallowed", source=source.name, url=url, what=what)
        return allowed


def _validators(update: FeedUpdate) -> list[tuple[str, str | None, str | None]]:
    out = [] if update.not_modified else [(update.source.url, update.etag, update.last_modified)]
    for child in update.children:
        out.extend(_validators(child))
    return out


def push_article(
    url: str | None, body: str, content_type: str, *, source: str = "push",
    title: str | None = None,
) -> RawArticle:
    """A RawArticle for a pushed article or a replayed file; id from the canonical URL, or the
    sha1 of the body when there is no URL."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype not in PAGE_TYPES:
        raise ValueError(f"content type {content_type!r} is not text/html or text/plain")
    canonical = canonical_url(url) if url else ""
    return RawArticle(
        id=article_id(canonical) if canonical else body_id(body),
        url=canonical,
        source=source,
        content_type="text/plain" if ctype == "text/plain" else "text/html",
        body=body,
        title_hint=title,
        stamps={"fetched": time.time()},
    )
