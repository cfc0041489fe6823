"""Feed polling, transport-free: conditional GET of a feed, new items only, one page fetch per
new item, RawArticle out. Nothing here raises out of ``poll()``; errors are logged once (with
the source) and counted.

Validators (ETag / Last-Modified) are stored only once every new item was either fetched or
failed for good, so a transient page failure makes the next poll re-read the feed and retry.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from services.fetcher.feeds import FeedError, FeedItem, parse_feed
from services.fetcher.http import FetchError, HttpFetcher
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


class FeedPoller:
    def __init__(
        self, fetcher: HttpFetcher, state: FetchState, *, robots: bool = True,
        page_concurrency: int = 8, max_new_per_poll: int = 200,
    ) -> None:
        self.fetcher, self.state = fetcher, state
        self.robots = RobotsCache(fetcher, fetcher.user_agent) if robots else None
        self.max_new_per_poll = max_new_per_poll
        self._pages = asyncio.Semaphore(page_concurrency)

    async def poll(self, source: Source) -> list[RawArticle]:
        update = await self.check_feed(source)
        if update is None:
            return []
        results = await asyncio.gather(*(self._page(source, new) for new in update.items))
        articles = [article for article, _ in results if article is not None]
        if not any(retry for _, retry in results):
            self.commit(update)
        return articles

    async def check_feed(self, source: Source) -> FeedUpdate | None:
        """Conditional GET and parse of the feed; the unseen items, or None after an error."""
        if not await self._robots_allow(source, source.url, "feed"):
            POLLS.labels("robots").inc()
            return None
        validators = self.state.get_validators(source.url) or (None, None)
        try:
            resp = await self.fetcher.get(
                source.url, etag=validators[0], last_modified=validators[1], kind="feed"
            )
        except FetchError as exc:
            POLLS.labels(exc.kind).inc()
            log.warning("feed_fetch_failed", source=source.name, url=source.url,
                        kind=exc.kind, error=str(exc))
            return None
        if resp.not_modified:
            POLLS.labels("not_modified").inc()
            return FeedUpdate(source, True)
        try:
            items = parse_feed(resp.body, resp.url)
        except FeedError as exc:
            POLLS.labels("malformed").inc()
            log.warning("feed_malformed", source=source.name, url=source.url, error=str(exc))
            return None
        POLLS.labels("ok").inc()
        update = FeedUpdate(source, False, resp.etag, resp.last_modified, total=len(items))
        update.items = self._unseen(items)
        return update

    def commit(self, update: FeedUpdate) -> None:
        """Remember the feed's validators so the next poll can be answered with a 304."""
        if not update.not_modified:
            self.state.put_validators(update.source.url, update.etag, update.last_modified)

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
                resp = await self.fetcher.get(new.url, kind="page", accept_types=PAGE_TYPES)
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
