"""Feed polling, transport-free: conditional GET of a feed, new items only, one page fetch per
new item, RawArticle out. Nothing here raises out of ``poll()``; errors are logged once (with
the source) and counted.

Validators (ETag / Last-Modified) are stored only once every new item was either fetched or
failed for good, so a transient page failure makes the next poll re-read the feed and retry.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace

from services.fetcher.feeds import FeedDoc, FeedError, FeedItem, parse_document
from services.fetcher.http import FetchError, HttpFetcher, Response
from services.fetcher.metrics import ARTICLES, ITEMS, POLLS
from services.fetcher.robots import RobotsCache
from services.fetcher.sources import Source
from services.fetcher.state import FetchState
from services.fetcher.text import decode_body
from services.fetcher.urls import article_id, body_id, canonical_url
from shared.observability import get_logger
from shared.records import RawArticle

log = get_logger("frontwire.fetcher")

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
MAX_CHILD_SITEMAPS = 20  # per index and poll; the newest come first in practice
SKIP_PREFIX = "skip:"  # seen-set prefix for items that failed for good (404, wrong type, ...)


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


class FeedPoller:
    def __init__(
        self, fetcher: HttpFetcher, state: FetchState, *, robots: bool = True,
        page_concurrency: int = 8, max_new_per_poll: int = 200,
    ) -> None:
        self.fetcher, self.state = fetcher, state
        self.robots = RobotsCache(fetcher, fetcher.user_agent) if robots else None
        self.max_new_per_poll = max_new_per_poll
        self._pages = asyncio.Semaphore(page_concurrency)
        self.hubs: dict[str, tuple[str, str]] = {}  # source URL -> (WebSub hub, topic)

    async def poll(self, source: Source) -> list[RawArticle]:
        """New articles of a feed, sitemap or page source; never raises."""
        if source.type == "page":
            return await self._poll_page(source)
        update = await self.check_feed(source)
        if update is None:
            return []
        return await self.fetch_new(update)

    async def ingest(self, source: Source, body: bytes, url: str) -> list[RawArticle]:
        """Articles from a feed document pushed to us (WebSub content distribution): parse,
        keep unseen items, fetch their pages. FeedError when the body is no feed."""
        doc = parse_document(body, url)
        update = FeedUpdate(source, True, total=len(doc.items))  # no validators to store
        update.items = self._unseen(doc.items)
        return await self.fetch_new(update)

    async def fetch_new(self, update: FeedUpdate) -> list[RawArticle]:
        """Fetch the pages of the update's new items; store validators unless one failed
        transiently (so the next poll re-reads the feed and retries)."""
        news: dict[str, NewItem] = {}
        for new in (n for u in (update, *update.children) for n in u.items):
            news.setdefault(new.id, new)  # an URL in two child sitemaps: the first wins
        results = await asyncio.gather(*(self._page(update.source, n) for n in news.values()))
        articles = [article for article, _ in results if article is not None]
        if not any(retry for _, retry in results):
            self.commit(update)
        return articles

    async def check_feed(self, source: Source, *, depth: int = 0) -> FeedUpdate | None:
        """Conditional GET and parse of the feed; the unseen items, or None after an error.
        A 304 skips parsing altogether; a sitemap index brings its child sitemaps along."""
        resp = await self._get_source(source, "feed")
        if resp is None:
            return None
        if resp.not_modified:
            POLLS.labels("not_modified").inc()
            return FeedUpdate(source, True)
        try:
            doc = parse_document(resp.body, resp.url)
        except FeedError as exc:
            POLLS.labels("malformed").inc()
            log.warning("feed_malformed", source=source.name, url=source.url, error=str(exc))
            return None
        POLLS.labels("ok").inc()
        update = FeedUpdate(source, False, resp.etag, resp.last_modified, total=len(doc.items))
        update.items = self._unseen(doc.items)
        if doc.hub:
            self.hubs[source.url] = (doc.hub, doc.self_url or source.url)
        if doc.children and depth == 0:
            update.children = await self._children(source, doc)
        return update

    async def _children(self, source: Source, doc: FeedDoc) -> list[FeedUpdate]:
        subs = [replace(source, url=url, type="sitemap")
                for url in doc.children[:MAX_CHILD_SITEMAPS]]
        found = await asyncio.gather(*(self.check_feed(sub, depth=1) for sub in subs))
        return [child for child in found if child is not None]

    async def _get_source(self, source: Source, kind: str) -> Response | None:
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
            return None

    async def _poll_page(self, source: Source) -> list[RawArticle]:
        """A page source: the URL itself is the article, emitted once per article id."""
        resp = await self._get_source(source, "page")
        if resp is None or resp.not_modified:
            POLLS.labels("not_modified" if resp else "failed").inc()
            return []
        POLLS.labels("ok").inc()
        url = canonical_url(source.url)
        new = NewItem(FeedItem(url, None, None, None), url, article_id(url))
        article = self._article(source, new, resp.url, resp.body, resp.content_type,
                                resp.charset)
        fresh = not (self.state.seen(new.id) or self.state.seen(article.id))
        ITEMS.labels("new" if fresh else "seen").inc()
        self.state.add(new.id)
        self.state.add(article.id)
        self.state.put_validators(source.url, resp.etag, resp.last_modified)
        return [article] if fresh else []

    def commit(self, update: FeedUpdate) -> None:
        """Remember the feed's validators so the next poll can be answered with a 304."""
        if not update.not_modified:
            self.state.put_validators(update.source.url, update.etag, update.last_modified)
        for child in update.children:
            self.commit(child)

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

    async def _page(self, source: Source, new: NewItem) -> tuple[RawArticle | None, bool]:
        """(article or None, worth retrying later)."""
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
        self.state.add(new.id)
        self.state.add(article.id)
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
