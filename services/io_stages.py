"""The stages that do I/O through their ports: fetch (feeds, pages) and deliver (sinks).

Each hands what it produces to ``emit`` and returns once it was taken, so a runtime may count
its input done when the handler returns. Built by the composition root; run by both runtimes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.alerting.delivery import DeliveryLog
from services.alerting.sinks import Dispatcher
from services.fetcher.poller import FeedPoller
from services.fetcher.polling import run_due
from services.fetcher.schedule import Schedule
from services.fetcher.websub import Subscriber, subscribe
from services.flow import Emit
from shared.observability import get_logger
from shared.records import Alert, DeliveryReport, RawArticle, RoutedAlert, Tick

log = get_logger(__name__)


@dataclass
class Deliver:
    """Silences first, then the sinks; an alert a sink took (or queued) goes on to ``alerts``,
    the delivered log the API and the live page read."""

    dispatcher: Dispatcher
    silenced: Callable[[Alert], bool]
    reports: Callable[[DeliveryReport], None] | None = None  # applies a background outcome
    # Whether the stage's log is up to date: over Kafka, once the input was read up to where
    # it ended at start, since the reports of deliveries answered before a crash lie there.
    ready: Callable[[], bool] = lambda: True

    async def __call__(self, item: RoutedAlert | DeliveryReport | Tick, emit: Emit) -> None:
        if isinstance(item, Tick):
            # Deliveries a previous run (or the instance this one took partitions over
            # from) left pending go out again, once the log knows which were answered.
            if self.ready():
                await self.dispatcher.resume()
            return
        if isinstance(item, DeliveryReport):
            if self.reports is not None:
                self.reports(item)
            self.dispatcher.settled(item.delivery_key, item.sink)
            return
        alert = item.alert
        if self.silenced(alert):
            return
        outcomes = await self.dispatcher.dispatch(alert, item.routes)
        log.info("alert_dispatched", alert_id=alert.alert_id, version=alert.version, **outcomes)
        if {"delivered", "queued"} & set(outcomes.values()):
            await emit(alert)  # not a resend every sink had already received


@dataclass
class Fetch:
    """A tick polls the sources that are due; each new article is handed to ``emit`` (and only
    then marked seen by the poller). With WebSub configured, hubs the feeds named are asked
    for pushes."""

    poller: Callable[[], FeedPoller]  # built lazily, inside the runtime's event loop
    schedule: Schedule
    subscriber: Subscriber | None = None
    ready: Callable[[], bool] = lambda: True  # e.g. the shared fetch state read in full
    concurrency: int = 16

    def wait_s(self) -> float:
        """Seconds until the next source falls due."""
        return self.schedule.wait_s()

    async def __call__(self, tick: Tick, emit: Emit) -> None:
        if not self.ready():
            return  # polling on a partial state would re-fetch what another fetcher fetched
        poller = self.poller()

        async def fetched(article: RawArticle) -> None:
            log.info("article_fetched", source=article.source, url=article.url)
            await emit(article)

        await run_due(poller, self.schedule, fetched, concurrency=self.concurrency)
        if self.subscriber is None:
            return
        for hub, topic in list(poller.hubs.values()):
            if self.subscriber.needs_subscribe(topic, tick.at):
                ok = await subscribe(poller.fetcher, self.subscriber, hub, topic)
                log.info("websub_subscribe", hub=hub, topic=topic, accepted=ok)


def apply_report(log_: DeliveryLog) -> Callable[[DeliveryReport], None]:
    """A background delivery's outcome, recorded in the deliver stage's own log."""

    def apply(report: DeliveryReport) -> None:
        if report.outcome == "delivered":
            log_.record(report.delivery_key, report.sink)
        drop = getattr(log_, "drop_pending", None)
        if drop is not None:
            drop(report.delivery_key, report.sink)

    return apply
