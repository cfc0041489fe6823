"""Embedded mode: the four stages in one asyncio process, no Kafka.

State (articles seen, feed validators, alert groups and deliveries) lives in SQLite files under
``settings.state_dir``, so a restart neither refetches nor re-alerts.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable, Sequence

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.grouping import MemoryGroupStore, SqliteGroupStore
from services.alerting.sinks import Dispatcher
from services.bootstrap import build_core, build_dispatcher, build_fetcher, state_path
from services.fetcher.poller import FeedPoller
from services.fetcher.sources import Source, load_sources
from services.fetcher.state import SqliteFetchState
from services.pipeline import Core, Routed
from shared.observability import MESSAGES_IN, get_logger
from shared.records import RawArticle
from shared.settings import Settings

log = get_logger(__name__)


class EmbeddedPipeline:
    """Raw article in, alerts delivered; the same `Core` the Kafka agents use."""

    def __init__(self, core: Core, dispatcher: Dispatcher) -> None:
        self.core = core
        self.dispatcher = dispatcher

    @classmethod
    def persistent(cls, settings: Settings) -> EmbeddedPipeline:
        core = build_core(settings, SqliteGroupStore(state_path(settings, "alert-groups.sqlite")))
        deliveries = SqliteDeliveryLog(state_path(settings, "deliveries.sqlite"))
        return cls(core, build_dispatcher(settings, deliveries))

    @classmethod
    def ephemeral(cls, settings: Settings) -> EmbeddedPipeline:
        """In-memory state: a replay of the same files shows the same alerts again."""
        core = build_core(settings, MemoryGroupStore())
        return cls(core, build_dispatcher(settings, MemoryDeliveryLog()))

    async def submit(self, raw: RawArticle) -> list[Routed]:
        MESSAGES_IN.labels("embedded").inc()
        try:
            routed = self.core.process(raw)
        except Exception:  # one bad article must not stop the others
            log.exception("article_failed", article_id=raw.id, url=raw.url)
            return []
        for item in routed:
            await self.dispatcher.dispatch(item.alert, item.routes)
        return routed

    async def submit_all(self, articles: Iterable[RawArticle]) -> list[Routed]:
        out: list[Routed] = []
        for raw in articles:
            out.extend(await self.submit(raw))
        return out

    async def aclose(self) -> None:
        await self.dispatcher.aclose()


class FeedWatcher:
    """Polls each source on its own interval (with jitter) and feeds new articles through."""

    def __init__(
        self, pipeline: EmbeddedPipeline, poller: FeedPoller, sources: Sequence[Source]
    ) -> None:
        self.pipeline = pipeline
        self.poller = poller
        self.sources = list(sources)

    async def run(self, *, once: bool = False) -> None:
        due = {s.url: time.monotonic() for s in self.sources}
        while True:
            now = time.monotonic()
            ready = [s for s in self.sources if due[s.url] <= now]
            for source in ready:
                await self._poll(source)
                jitter = random.uniform(0.9, 1.1)
                due[source.url] = time.monotonic() + source.interval_s * jitter
            if once:
                return
            await asyncio.sleep(max(0.05, min(due.values()) - time.monotonic()))

    async def _poll(self, source: Source) -> None:
        # poll() reports and backs off its own failures; a source never stops the loop.
        articles = await self.poller.poll(source)
        if articles:
            log.info("articles_fetched", source=source.name, count=len(articles))
        await self.pipeline.submit_all(articles)


async def run_embedded(settings: Settings, *, once: bool = False) -> None:
    sources = load_sources(settings.feeds_file)
    pipeline = EmbeddedPipeline.persistent(settings)
    fetcher = build_fetcher(settings)
    state = SqliteFetchState(state_path(settings, "fetcher.sqlite"))
    watcher = FeedWatcher(pipeline, FeedPoller(fetcher, state), sources)
    log.info("embedded_started", sources=len(sources), state_dir=str(settings.state_dir))
    try:
        await watcher.run(once=once)
    finally:
        await fetcher.aclose()
        await pipeline.aclose()
