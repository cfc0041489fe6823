"""Embedded mode: the four stages in one asyncio process, no Kafka.

State (articles seen, feed validators, alert groups and deliveries) lives in SQLite files under
``settings.state_dir``, so a restart neither refetches nor re-alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.grouping import MemoryGroupStore, SqliteGroupStore
from services.alerting.history import SqliteAlertHistory
from services.alerting.live import LiveSide
from services.alerting.reload import RuleSetHolder
from services.alerting.rules import RuleSet
from services.alerting.silences import Silences, SqliteSilenceStore
from services.alerting.sinks import Dispatcher
from services.alerting.timing import TimedGroupStore, flush_due
from services.bootstrap import build_core, build_dispatcher, build_fetcher, state_path
from services.fetcher.poller import FeedPoller
from services.fetcher.schedule import Schedule
from services.fetcher.scheduler import run_due
from services.fetcher.sources import Source, load_sources
from services.fetcher.state import SqliteFetchState
from services.pipeline import Core, Routed
from shared.observability import MESSAGES_IN, STATE_PRUNED, get_logger
from shared.records import RawArticle
from shared.settings import Settings

log = get_logger(__name__)


class EmbeddedPipeline:
    """Raw article in, alerts delivered; the same `Core` the Kafka agents use."""

    def __init__(
        self,
        core: Core,
        dispatcher: Dispatcher,
        holder: RuleSetHolder | None = None,
        live: LiveSide | None = None,
    ) -> None:
        self.core = core
        self.dispatcher = dispatcher
        self.holder = holder
        self.live = live
        self._tasks: list[asyncio.Task[None]] = []
        self._pruners: list[tuple[str, Callable[[float], int]]] = []
        # The core (cleaning, enriching, grouping) is CPU work on untrusted input: it runs on
        # one worker thread so the event loop keeps polling and delivering meanwhile. One
        # thread, so the core's state (seen hashes, group store) is never used concurrently.
        # A thread cannot be stopped, so the core's work is bounded by its input instead
        # (the cleaner's size, element and time budgets; linear-time regexes).
        self._core_thread = ThreadPoolExecutor(1, thread_name_prefix="frontwire-core")
        dispatcher.set_route_limits(core.rules.route_limits)
        if holder is not None:
            core.rules = holder.current
            holder.subscribe(self._use_rules)

    def _use_rules(self, rules: RuleSet) -> None:
        self.core.rules = rules  # matching uses the new rules from the next article on
        self.dispatcher.set_route_limits(rules.route_limits)

    def release_due(self, now: float | None = None) -> list[Routed]:
        """The alerts of groups that group timing held and that are now due (``inf``: all)."""
        groups = self.core.groups
        if not isinstance(groups, TimedGroupStore):
            return []
        released = flush_due(groups, time.time() if now is None else now, self.core.rules.get)
        return [Routed(r.alert, r.routes) for r in released]

    async def flush(self, now: float | None = None) -> int:
        """Deliver the groups that group timing held and that are now due."""
        return len(await self._in_core(self.release_due, now))

    async def _in_core(self, work: Callable[..., list[Routed]], *args: Any) -> list[Routed]:
        """Run ``work`` on the core thread and deliver what it routes. The core records what
        it did (seen, group sent) before returning, so a stop that cancels the wait must
        still hand those alerts on, or they would be marked done and never delivered."""
        done = asyncio.get_running_loop().run_in_executor(self._core_thread, work, *args)
        try:
            routed = await asyncio.shield(done)
        except asyncio.CancelledError:
            await self._deliver_all(await done)
            raise
        # A stop waits for deliveries already under way rather than cutting them off: an
        # alert whose answer was never recorded would be sent again at the next start.
        delivering = asyncio.ensure_future(self._deliver_all(routed))
        try:
            await asyncio.shield(delivering)
        except asyncio.CancelledError:
            await delivering
            raise
        return routed

    async def _deliver_all(self, routed: list[Routed]) -> None:
        for item in routed:
            await self._deliver(item)

    async def _deliver(self, item: Routed) -> None:
        """Silences first, then the sinks; what reached a sink goes to the live page."""
        if self.live is not None and self.live.silenced(item.alert):
            return
        outcomes = await self.dispatcher.dispatch(item.alert, item.routes)
        if self.live is not None and {"delivered", "queued"} & set(outcomes.values()):
            self.live.published(item.alert)

    async def start(
        self,
        *,
        flush_every_s: float = 1.0,
        rules_poll_s: float = 5.0,
        prune_every_s: float = 3600.0,
    ) -> None:
        """Apply retention; resume pending deliveries; flush due groups, apply retention and
        watch the rule files (and SIGHUP) in the background."""
        self.prune_state()
        await self.dispatcher.resume()
        self._tasks.append(asyncio.create_task(self._every(flush_every_s, self.flush)))

        async def prune() -> None:
            # Indexed range deletes, once an hour: short enough to run on the loop itself.
            self.prune_state()

        self._tasks.append(asyncio.create_task(self._every(prune_every_s, prune)))
        if self.holder is not None:
            holder = self.holder
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, holder.reload)

            async def poll() -> None:
                holder.reload_if_changed()

            self._tasks.append(asyncio.create_task(self._every(rules_poll_s, poll)))

    @staticmethod
    async def _every(period_s: float, job: Callable[[], Awaitable[object]]) -> None:
        while True:
            await asyncio.sleep(period_s)
            try:
                await job()
            except Exception:  # the loop must outlive one bad round
                log.exception("background_job_failed")

    @classmethod
    def persistent(cls, settings: Settings) -> EmbeddedPipeline:
        # State files first: a corrupt or unwritable one stops start-up at once, by name
        # (shared.sqlite.StateFileError), before seconds of model loading.
        groups = SqliteGroupStore(state_path(settings, "alert-groups.sqlite"))
        deliveries = SqliteDeliveryLog(state_path(settings, "deliveries.sqlite"))
        history = SqliteAlertHistory(state_path(settings, "alert-history.sqlite"))
        silences = Silences(
            SqliteSilenceStore(state_path(settings, "silences.sqlite")),
            max_silences=settings.max_silences,
            retention_s=settings.retention_silences_s,
        )
        core = build_core(settings, groups)
        holder = RuleSetHolder(settings.rules_files)
        pipeline = cls(
            core, build_dispatcher(settings, deliveries), holder, LiveSide(history, silences)
        )
        pipeline.retain("alert_groups", lambda now: groups.prune(settings.retention_groups_s, now))
        pipeline.retain(
            "alert_deliveries", lambda now: deliveries.prune(settings.retention_deliveries_s, now)
        )
        pipeline.retain("silences", silences.prune)
        return pipeline

    def retain(self, store: str, prune: Callable[[float], int]) -> None:
        """Have `prune_state` call ``prune(now)`` (returning rows forgotten) for ``store``."""
        self._pruners.append((store, prune))

    def prune_state(self, now: float | None = None) -> dict[str, int]:
        """Apply every store's retention now; rows forgotten per store (also counted)."""
        at = time.time() if now is None else now
        gone = {}
        for store, prune in self._pruners:
            gone[store] = prune(at)
            STATE_PRUNED.labels(store).inc(gone[store])
        if any(gone.values()):
            log.info("state_pruned", **gone)
        return gone

    @classmethod
    def ephemeral(cls, settings: Settings) -> EmbeddedPipeline:
        """In-memory state: a replay of the same files shows the same alerts again."""
        core = build_core(settings, MemoryGroupStore())
        return cls(core, build_dispatcher(settings, MemoryDeliveryLog()))

    async def submit(self, raw: RawArticle) -> list[Routed]:
        MESSAGES_IN.labels("embedded").inc()
        try:
            return await self._in_core(self.core.process, raw)
        except Exception:  # one bad article must not stop the others
            log.exception("article_failed", article_id=raw.id, url=raw.url)
            return []

    async def submit_all(self, articles: Iterable[RawArticle]) -> list[Routed]:
        out: list[Routed] = []
        for raw in articles:
            out.extend(await self.submit(raw))
        return out

    async def aclose(self, drain_s: float = 2.0) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        # A little time for queued deliveries; what is left stays pending for the next start.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.dispatcher.drain(), drain_s)
        await self.dispatcher.aclose()
        self._core_thread.shutdown(wait=True)
        if self.holder is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)


class FeedWatcher:
    """Polls each source on its own interval (with jitter) and feeds new articles through."""

    def __init__(
        self, pipeline: EmbeddedPipeline, poller: FeedPoller, sources: Sequence[Source]
    ) -> None:
        self.pipeline = pipeline
        self.poller = poller
        self.sources = list(sources)

    async def run(self, *, once: bool = False) -> None:
        # The adaptive schedule (services/fetcher/schedule.py): busy sources more often.
        schedule = Schedule(self.sources, spread_s=0.0 if once else 5.0)
        while True:
            await run_due(self.poller, schedule, self._submit, concurrency=4)
            if once:
                return
            await asyncio.sleep(max(0.05, schedule.wait_s()))

    async def _submit(self, article: RawArticle) -> None:
        # poll() reports and backs off its own failures; a source never stops the loop.
        log.info("article_fetched", source=article.source, url=article.url)
        await self.pipeline.submit(article)


async def run_embedded(settings: Settings, *, once: bool = False) -> None:
    sources = load_sources(settings.feeds_file)
    state = SqliteFetchState(
        state_path(settings, "fetcher.sqlite"), touch_s=settings.retention_seen_s / 4
    )
    pipeline = EmbeddedPipeline.persistent(settings)
    fetcher = build_fetcher(settings)
    pipeline.retain("fetcher_seen", lambda now: state.prune(settings.retention_seen_s, now))
    poller = FeedPoller(fetcher, state, robots_cache_max=settings.robots_cache_max)
    watcher = FeedWatcher(pipeline, poller, sources)
    log.info("embedded_started", sources=len(sources), state_dir=str(settings.state_dir))
    await pipeline.start(prune_every_s=settings.prune_every_s)
    if pipeline.live is not None and not once:  # a one-shot poll has no use for a live page
        await pipeline.live.serve(settings)
    try:
        with _stop_on_sigterm() as stopping:
            try:
                await watcher.run(once=once)
            except asyncio.CancelledError:
                if not stopping.is_set():
                    raise
                log.info("embedded_stopping", signal="SIGTERM")
    finally:
        watcher.poller.close()
        await fetcher.aclose()
        await pipeline.aclose()
        if pipeline.live is not None:
            await pipeline.live.aclose()


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[asyncio.Event]:
    """SIGTERM (how a service manager or ``kill`` stops a process) cancels the main task the
    way Ctrl-C does, so a stop finishes the deliveries under way and records them. Without
    it the process dies at once and an alert whose answer was not yet recorded is sent again
    at the next start."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        yield stopping
        return
    try:
        yield stopping
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if stopping.is_set() and task is not None:
            task.uncancel()  # the stop is handled: the clean-up below may await normally
