"""The composition root: settings + a runtime (+ fakes, in tests) -> the pipeline's handlers.

Every object graph is built here and only here: embedded mode, the Kafka workers, the CLI and
the tests all call `bootstrap`. A runtime supplies the stores its mode keeps state in (SQLite
files, memory, or faust tables); a test passes its own stores, sinks, clock or HTTP client
through the same function. Nothing is built at import time.

    bootstrap(settings, runtime, services=("alerting",), sinks={"t": FakeSink()})
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from services.alerting.delivery import DeliveryLog
from services.alerting.grouping import GroupStore
from services.alerting.history import AlertHistory
from services.alerting.read_side import ReadSide
from services.alerting.reload import RuleSetHolder
from services.alerting.rules import RuleSet
from services.alerting.silences import Silences, SilenceStore
from services.alerting.sinks import Dispatcher, Sink, build_sinks
from services.alerting.sinks.dispatcher import SettleLater
from services.cleaner import Cleaner
from services.enricher import Enricher
from services.fetcher.http import HttpFetcher
from services.fetcher.intake import make_subscriber
from services.fetcher.local_state import FetchState
from services.fetcher.poller import FeedPoller
from services.fetcher.schedule import Schedule
from services.fetcher.sources import Source, load_sources
from services.flow import PIPELINE, StageSpec
from services.io_stages import Deliver, Fetch, apply_report
from services.stages import Clean, Decide, Dedup, Enrich, Match, SeenIds, warm_up
from shared.observability import STATE_PRUNED, get_logger
from shared.policy import DEFAULT_POLICY, ErrorPolicy
from shared.records import Alert
from shared.settings import Settings

log = get_logger(__name__)

DeadLetterHook = Callable[[Alert, str, Exception], Any]
Prune = Callable[[float], int]  # now -> rows forgotten


@dataclass
class Stores:
    """Where each stage keeps its state; the runtime picks the kind, tests may pass fakes."""

    groups: GroupStore
    deliveries: DeliveryLog
    seen_ids: SeenIds
    fetch_state: FetchState
    history: AlertHistory
    silences: SilenceStore
    retention: list[tuple[str, Prune]] = field(default_factory=list)  # store name, pruner


class Runtime(Protocol):
    """What the composition root asks of a runtime: its kind of stores, how a sink's given-up
    delivery reaches the dead letters (None: logged and counted only), and how a delivery the
    outbox finished in the background is recorded (None: in the delivery log at once)."""

    name: str

    def stores(self, settings: Settings) -> Stores: ...

    def dead_letter_hook(self) -> DeadLetterHook | None: ...

    def settle_later(self) -> SettleLater | None: ...


@dataclass
class Assembly:
    """The built pipeline: a handler per stage of the services asked for, and what the
    runtimes need around them (rules in force, the read side, the dispatcher, the poller)."""

    settings: Settings
    handlers: dict[str, Any]
    stores: Stores
    clock: Callable[[], float]
    policy: ErrorPolicy = DEFAULT_POLICY  # what an unexpected handler error means, per record
    holder: RuleSetHolder | None = None
    rules: RuleSet | None = None
    dispatcher: Dispatcher | None = None
    live: ReadSide | None = None
    decide: Decide | None = None
    sources: list[Source] = field(default_factory=list)
    _poller: FeedPoller | None = None
    _http: Callable[[], HttpFetcher] | None = None

    def specs(self) -> list[StageSpec]:
        return [spec for spec in PIPELINE if spec.name in self.handlers]

    def current_rules(self) -> RuleSet:
        if self.holder is not None:
            return self.holder.current
        assert self.rules is not None, "no alerting stage was built"
        return self.rules

    def poller(self) -> FeedPoller:
        """The feed poller, built on first use: inside the runtime's event loop, which the
        HTTP client binds to."""
        if self._poller is None:
            assert self._http is not None, "no fetch stage was built"
            self._poller = FeedPoller(
                self._http(), self.stores.fetch_state,
                robots_cache_max=self.settings.robots_cache_max,
            )
        return self._poller

    def prune_state(self, now: float | None = None) -> dict[str, int]:
        """Apply every store's retention now; rows forgotten per store (also counted). The
        one retention job of both runtimes: each runtime's stores bring their own pruners."""
        at = time.time() if now is None else now
        gone = {}
        for store, prune in self.stores.retention:
            gone[store] = prune(at)
            STATE_PRUNED.labels(store).inc(gone[store])
        if any(gone.values()):
            log.info("state_pruned", **gone)
        return gone

    def reload_rules_if_changed(self) -> None:
        if self.holder is not None:
            self.holder.reload_if_changed()

    def reload_rules_on_sighup(self, on: bool = True) -> None:
        """``kill -HUP`` reloads the rule files (where the platform has signals)."""
        if self.holder is None:
            return
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            if on:
                loop.add_signal_handler(signal.SIGHUP, self.holder.reload)
            else:
                loop.remove_signal_handler(signal.SIGHUP)

    async def aclose(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.aclose()
        if self._poller is not None:
            self._poller.close()
            await self._poller.fetcher.aclose()
            self._poller = None


def bootstrap(
    settings: Settings,
    runtime: Runtime,
    *,
    services: Sequence[str] | None = None,
    stores: Stores | None = None,
    sinks: Mapping[str, Sink] | None = None,
    clock: Callable[[], float] | None = None,
    http: Callable[[], HttpFetcher] | None = None,
    policy: ErrorPolicy = DEFAULT_POLICY,
    watch_rules: bool = True,
    warm: bool = False,
) -> Assembly:
    """Build the handlers of the stages of ``services`` (default: all four)."""
    wanted = set(services) if services is not None else {s.service for s in PIPELINE}
    built = Assembly(settings, {}, stores or runtime.stores(settings), clock or time.time,
                     policy=policy)
    if "fetcher" in wanted:
        _fetcher(built, http or (lambda: build_fetcher(settings)))
    if "cleaner" in wanted:
        built.handlers["clean"] = Clean(Cleaner())
    if "enricher" in wanted:
        built.handlers["enrich"] = Enrich(Enricher())
    if "alerting" in wanted:
        _alerting(built, runtime, sinks, watch_rules)
    if warm:
        clean, enrich = built.handlers.get("clean"), built.handlers.get("enrich")
        warm_up(clean.cleaner if clean else None, enrich.enricher if enrich else None)
    return built


def _fetcher(built: Assembly, http: Callable[[], HttpFetcher]) -> None:
    settings = built.settings
    built.sources = load_sources(settings.feeds_file)
    built._http = http
    built.handlers["fetch"] = Fetch(
        built.poller, Schedule(built.sources), subscriber=make_subscriber(settings)
    )
    built.handlers["dedup"] = Dedup(built.stores.seen_ids)


def _alerting(
    built: Assembly, runtime: Runtime, sinks: Mapping[str, Sink] | None, watch_rules: bool
) -> None:
    settings, stores = built.settings, built.stores
    if watch_rules:
        built.holder = RuleSetHolder(settings.rules_files)
    else:
        built.rules = RuleSet.load(*settings.rules_files)
    silences = Silences(
        stores.silences, max_silences=settings.max_silences,
        retention_s=settings.retention_silences_s,
    )
    built.live = ReadSide(stores.history, silences)
    built.dispatcher = build_dispatcher(
        settings, stores.deliveries, sinks=sinks, on_dead_letter=runtime.dead_letter_hook(),
        settle_later=runtime.settle_later(),
    )
    built.dispatcher.set_route_limits(built.current_rules().route_limits)
    if built.holder is not None:
        dispatcher = built.dispatcher
        built.holder.subscribe(lambda rules: dispatcher.set_route_limits(rules.route_limits))
    built.handlers["match"] = Match(built.current_rules)
    built.decide = built.handlers["decide"] = Decide(stores.groups, built.current_rules)
    built.handlers["deliver"] = Deliver(
        built.dispatcher, built.live.silenced, reports=apply_report(stores.deliveries)
    )
    built.stores.retention.append(("silences", silences.prune))


def sink_spec(settings: Settings) -> dict[str, dict[str, Any]]:
    """Which sinks exist, from settings; rules route to them by name."""
    spec: dict[str, dict[str, Any]] = {}
    if settings.console_sink:
        spec["console"] = {"type": "stdout", "format": settings.console_format}
    if settings.webhook_url:
        spec["webhook"] = {
            "type": "webhook",
            "url": settings.webhook_url,
            "secret": settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else None,
        }
    if settings.jsonl_sink_path:
        spec["jsonl"] = {"type": "jsonl", "path": str(settings.jsonl_sink_path)}
    if settings.slack_webhook_url:
        spec["slack"] = {"type": "slack", "url": settings.slack_webhook_url.get_secret_value()}
    elif settings.slack_token and settings.slack_channel:
        spec["slack"] = {
            "type": "slack_api",
            "token": settings.slack_token.get_secret_value(),
            "channel": settings.slack_channel,
            "update": settings.slack_update,
            "store_path": str(state_path(settings, "slack-messages.sqlite")),
        }
    return spec


def build_dispatcher(
    settings: Settings,
    log: DeliveryLog,
    *,
    sinks: Mapping[str, Sink] | None = None,
    on_dead_letter: DeadLetterHook | None = None,
    settle_later: SettleLater | None = None,
) -> Dispatcher:
    return Dispatcher(
        sinks if sinks is not None else build_sinks(sink_spec(settings)),
        log,
        on_dead_letter=on_dead_letter,
        settle_later=settle_later,
    )


def build_fetcher(settings: Settings) -> HttpFetcher:
    return HttpFetcher(
        user_agent=settings.user_agent,
        allow_hosts=tuple(settings.fetch_allow_hosts),
        allow_private=settings.fetch_allow_private,
        timeout_s=settings.fetch_timeout_s,
        allow_ports=tuple(settings.fetch_allow_ports),
    )


def state_path(settings: Settings, name: str) -> Path:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return settings.state_dir / name
