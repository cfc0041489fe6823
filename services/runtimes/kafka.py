"""The Kafka runtime: the declared stages (services/flow.py) of one service on a faust worker.

Every stage with an input port is a `StageLoop` on its topic (decode, handle, send, offsets
committed only for what was handled; poison to the dead letters). A stage's output goes to the
topic of its output port, keyed by `partition_key`, which is what puts every report of one
event on one alerting partition. Ticks: a stage with keyed state (decide) is sent one `Tick`
per due key on its own input topic, so the tick is handled in-stream on the partition that owns
that state; any other ticking stage (fetch, on the group leader; deliver) is handed its tick by
a timer directly.

What a service needs around its stages — the fetcher's push and WebSub endpoints and shared
fetch state, the alerting read side — is wired here too, from objects the composition root
built. Nothing else in the project imports faust but shared/kafka and this package.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from services.alerting.grouping import MappingGroupStore
from services.alerting.history import MemoryAlertHistory
from services.alerting.sinks.dispatcher import SettleLater
from services.bootstrap import Assembly, DeadLetterHook, Stores, bootstrap
from services.fetcher.intake_faust import add_push_view, add_websub_view
from services.fetcher.local_state import MemoryFetchState
from services.fetcher.replicated_state import DEFAULT_REFRESH_S, ReplicatedFetchState
from services.flow import BatchHandler, StageSpec, partition_key, stage, stages_of
from services.flow import Emit as Emitter
from services.io_stages import Deliver, Fetch
from services.runtimes.kafka_stores import (
    BroadcastSilenceStore,
    TableDeliveryLog,
    TableSeenIds,
    delivery_stamp,
    group_stamp,
    seen_stamp,
)
from services.stages import Decide, MemorySeenIds
from shared.codec import decode_any, encode
from shared.kafka import TopicMap, make_app, run_worker
from shared.kafka.deadletter import encode_dead_letter
from shared.kafka.follow import TopicFollower, keep_following
from shared.kafka.retention import forget_local
from shared.kafka.stage import Emit, StageLoop
from shared.kafka.topics import retention_configs
from shared.observability import DEAD_LETTERS, get_logger
from shared.records import Alert, DeadLetter, DeliveryReport, Tick
from shared.settings import Settings

log = get_logger(__name__)

HISTORY_TAIL = 1000  # alerts per partition of the alerts topic the API starts with
# A batching stage waits at most this long for records to join a batch: a lone article pays
# up to 5 ms, a backlog is taken in batches of the stage's size.
BATCH_WITHIN_S = 0.005
SEEN_TABLE = "fetcher-seen-ids"  # changelog: <prefix>-fetcher-fetcher-seen-ids-changelog


def start_worker(service: str, settings: Settings) -> None:
    """Build the service's faust app and its stages, and run until stopped."""
    app = make_app(service, settings)
    KafkaService(app, service, settings).attach()
    run_worker(app, service, settings)


class KafkaRuntime:
    """The composition root's view of this runtime: faust-table stores for one service."""

    name = "kafka"

    def __init__(self, app: faust.App, service: str, settings: Settings) -> None:
        self.app, self.service, self.settings = app, service, settings
        self.topics = TopicMap.from_settings(settings)
        self._background: set[asyncio.Future[Any]] = set()
        self.silences: BroadcastSilenceStore | None = None
        self.replicated_state: ReplicatedFetchState | None = None

    def table(self, name: str, retention_s: float) -> Any:
        # Same partition count as the stage's input: the tables are co-partitioned with it.
        # Keys and values go to the changelog as JSON (faust's default for untyped tables).
        # The changelogs expire keys not re-written within their retention (compact,delete),
        # which bounds them and the time a restarted worker takes to restore its tables.
        return self.app.Table(
            name, default=None, partitions=self.settings.partitions, key_type=str,
            extra_topic_configs=retention_configs(retention_s),
        )

    def stores(self, settings: Settings) -> Stores:
        stores = Stores(MappingGroupStore({}), TableDeliveryLog({}), MemorySeenIds(),
                        MemoryFetchState(), MemoryAlertHistory(), BroadcastSilenceStore(self.send))
        if self.service == "fetcher":
            seen = self.table(SEEN_TABLE, settings.retention_seen_s)
            stores.seen_ids = TableSeenIds(seen)
            # Keys in use are re-published well within the state topic's retention.
            self.replicated_state = stores.fetch_state = ReplicatedFetchState(
                lambda key, value: self.send_to(self.topics.state, key, value),
                refresh_s=min(DEFAULT_REFRESH_S, settings.retention_seen_s / 4),
            )
            stores.retention.append(("fetcher_seen_ids", lambda now: forget_local(
                seen, now - settings.retention_seen_s, seen_stamp)))
        if self.service == "alerting":
            stores.groups, stores.deliveries = self._alerting_tables(settings, stores)
            assert isinstance(stores.silences, BroadcastSilenceStore)
            self.silences = stores.silences
        return stores

    def _alerting_tables(
        self, settings: Settings, stores: Stores
    ) -> tuple[MappingGroupStore, TableDeliveryLog]:
        group_table = self.table("alert-groups", settings.retention_groups_s)
        delivery_table = self.table("alert-deliveries", settings.retention_deliveries_s)
        groups = MappingGroupStore(group_table)
        deliveries = TableDeliveryLog(delivery_table)

        def forget_groups(now: float) -> int:
            gone = forget_local(group_table, now - settings.retention_groups_s, group_stamp)
            if gone:
                groups.rescan()  # the due index must not name forgotten groups
            return gone

        stores.retention += [
            ("alert_groups", forget_groups),
            ("alert_deliveries", lambda now: forget_local(
                delivery_table, now - settings.retention_deliveries_s, delivery_stamp)),
        ]
        return groups, deliveries

    def settle_later(self) -> SettleLater | None:
        def report(alert: Alert, sink: str, outcome: str) -> None:
            """A background delivery ended: tell the deliver stage, on its group's partition."""
            record = DeliveryReport(alert.delivery_key, sink, outcome, alert.group_key)
            self.send_to(self.topics.routed, alert.group_key, encode(record))

        return report

    def send(self, silence_id: str, value: bytes | None) -> None:
        self.send_to(self.topics.silences, silence_id, value)

    def send_to(self, topic: str, key: str, value: bytes | None) -> None:
        """Send from synchronous code inside the worker's loop (a store's write)."""
        future = asyncio.ensure_future(self.app.topic(topic).send(key=key.encode(), value=value))
        self._background.add(future)
        future.add_done_callback(self._sent)

    def _sent(self, future: asyncio.Future[Any]) -> None:
        self._background.discard(future)
        if not future.cancelled() and future.exception() is not None:
            # Only costs a re-fetch by a future leader or a late report; state is updated.
            log.warning("background_send_failed", error=str(future.exception()))

    def dead_letter_hook(self) -> DeadLetterHook | None:
        deadletter = self.app.topic(self.topics.deadletter)

        async def sink_dead_letter(alert: Alert, sink: str, error: Exception) -> None:
            DEAD_LETTERS.labels(f"alerting.{sink}").inc()
            record = DeadLetter(
                stage=f"alerting.sink.{sink}", topic=self.topics.alerts, partition=None,
                offset=None, error=f"{type(error).__name__}: {error}",
                payload=encode(alert).decode(), key=alert.group_key, at=time.time(),
            )
            await deadletter.send(key=alert.group_key.encode(), value=encode_dead_letter(record))

        return sink_dead_letter


class KafkaService:
    """One service's stages, ticks and side work on a faust app."""

    def __init__(self, app: faust.App, service: str, settings: Settings) -> None:
        self.app, self.service, self.settings = app, service, settings
        self.runtime = KafkaRuntime(app, service, settings)
        self.topics = self.runtime.topics
        self.built: Assembly = bootstrap(settings, self.runtime, services=(service,), warm=True)
        self.specs = stages_of(service)
        self._requested: dict[str, float] = {}  # group key -> due_at a tick was sent for
        # CPU-bound stages run here, one at a time (their cores are not thread-safe); the
        # event loop keeps heartbeating and committing meanwhile.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"frontwire-{service}")

    def label(self, spec: StageSpec) -> str:
        """The stage's name in metrics and dead letters: the service's, if it has one stage."""
        return self.service if len(self.specs) == 1 else f"{self.service}.{spec.name}"

    def attach(self) -> None:
        for spec in self.specs:
            if spec.consumes is not None:
                source = self.app.topic(getattr(self.topics, spec.consumes))
                loop = StageLoop(self.app, self.label(spec), source,
                                 self.app.topic(self.topics.deadletter),
                                 policy=self.built.policy)
                name = self.label(spec).replace(".", "_")
                if spec.batch > 1:
                    loop.attach_batched(self._adapter(spec), self._batch_adapter(spec),
                                        most=spec.batch, within_s=BATCH_WITHIN_S, name=name)
                else:
                    loop.attach(self._adapter(spec), name=name)
                handler = self.built.handlers[spec.name]
                if isinstance(handler, Deliver):  # resumes pending deliveries once replayed
                    handler.ready = functools.partial(
                        loop.keeper.replayed, getattr(self.topics, spec.consumes))
            if spec.tick_s is not None:
                self._ticks(spec)
        self._side_work()

    # -- stages ----------------------------------------------------------------------------

    def _emits(self, spec: StageSpec) -> Callable[[Sequence[Any]], list[Emit]]:
        """What a stage's output records become: one keyed, encoded send each."""
        out = self.app.topic(getattr(self.topics, spec.produces)) if spec.produces else None

        def emits(records: Sequence[Any]) -> list[Emit]:
            assert out is not None or not records, f"{spec.name} has no output port"
            return [Emit(out, partition_key(r).encode(), encode(r)) for r in records]

        return emits

    def _adapter(self, spec: StageSpec) -> Callable[[bytes | None, bytes], Any]:
        handler = self.built.handlers[spec.name]
        emits = self._emits(spec)

        async def handle(key: bytes | None, value: bytes) -> Sequence[Emit]:
            record = decode_any(value, spec.accepts)
            if spec.io:
                produced: list[Any] = []

                async def collect(item: Any) -> None:
                    produced.append(item)

                await handler(record, collect)
                return emits(produced)
            now = self.built.clock()
            if spec.blocking:
                loop = asyncio.get_running_loop()
                return emits(await loop.run_in_executor(self._thread, handler, record, now))
            return emits(handler(record, now))

        return handle

    def _batch_adapter(self, spec: StageSpec) -> Callable[[Sequence[Any]], Any]:
        handler = self.built.handlers[spec.name]
        assert isinstance(handler, BatchHandler) and spec.blocking, f"{spec.name}: no batches"
        emits = self._emits(spec)

        async def handle_many(messages: Sequence[Any]) -> list[list[Emit]]:
            records = [decode_any(m.value, spec.accepts) for m in messages]
            now = self.built.clock()
            loop = asyncio.get_running_loop()
            outputs = await loop.run_in_executor(self._thread, handler.many, records, now)
            return [emits(produced) for produced in outputs]

        return handle_many

    def _ticks(self, spec: StageSpec) -> None:
        handler = self.built.handlers[spec.name]
        name = f"frontwire.{self.service}_{spec.name}_tick"
        if spec.tick_scope == "key":
            assert isinstance(handler, Decide), f"{spec.name}: keyed ticks need due keys"
            self.app.timer(interval=spec.tick_s, name=name)(self._keyed_ticks)
            return
        emit = self._emitter(spec)

        async def tick() -> None:
            await handler(Tick(self.built.clock()), emit)

        # "leader": one instance of the group (a new one takes over on fail-over).
        self.app.timer(interval=spec.tick_s, on_leader=spec.tick_scope == "leader",
                       name=name)(tick)

    async def _keyed_ticks(self) -> None:
        """A tick per due group, on the group's partition: the decide stage releases it in-
        stream (its table write needs the stream). A timer sees only this worker's partitions:
        exactly the groups it owns. A group is asked once per due time."""
        decide = self.built.decide
        assert decide is not None
        now = self.built.clock()
        due = decide.due(now)
        for key in set(self._requested) - set(due):
            del self._requested[key]
        for key in due:
            state = decide.groups.get(key)
            if state is None or self._requested.get(key) == state.due_at:
                continue
            self._requested[key] = state.due_at or now
            self.runtime.send_to(self.topics.candidates, key, encode(Tick(now, key)))

    def _emitter(self, spec: StageSpec) -> Emitter:
        """How a record produced outside a stream (by a tick, a push, a WebSub delivery) goes
        to the stage's output port. It waits for the broker's ack: the poller marks an article
        seen once this returns, so one buffered in the producer when the worker dies is
        fetched again, not lost."""
        if spec.produces is None:
            async def nowhere(record: Any) -> None:
                raise RuntimeError(f"{spec.name} produced {type(record).__name__}: no output")

            return nowhere
        topic = self.app.topic(getattr(self.topics, spec.produces))

        async def emit(record: Any) -> None:
            sent = await topic.send(key=partition_key(record).encode(), value=encode(record))
            await sent

        return emit

    # -- side work -------------------------------------------------------------------------

    def _side_work(self) -> None:
        built = self.built
        if built.stores.retention:
            self.app.timer(interval=self.settings.prune_every_s,
                           name=f"frontwire.{self.service}_retention")(self._retention)
        if self.service == "fetcher":
            self._fetcher_side()
        if self.service == "alerting":
            self.app.timer(interval=5.0, name="frontwire.alerting_rules")(self._watch_rules)
            self.app.task(self._install_sighup)
            self.app.task(self._serve_read_side)

    async def _retention(self) -> None:
        self.built.prune_state()

    def _fetcher_side(self) -> None:
        settings, state = self.settings, self.runtime.replicated_state
        assert state is not None
        caught_up = asyncio.Event()
        fetch = self.built.handlers["fetch"]
        assert isinstance(fetch, Fetch)
        fetch.ready = caught_up.is_set  # polling on a partial state would re-fetch

        def on_caught_up() -> None:
            if not caught_up.is_set():
                log.info("fetch_state_caught_up", topic=self.topics.state, entries=len(state))
                caught_up.set()

        async def follow_fetch_state() -> None:
            # Every instance, not only the leader: any of them may be the next leader.
            await keep_following(lambda: TopicFollower(
                settings.kafka_bootstrap_servers, self.topics.state, state.apply, tail=None,
                on_caught_up=on_caught_up))

        async def close(sender: Any, *args: Any, **kwargs: Any) -> None:
            await self.built.aclose()  # the parser's process pool ends with the worker

        self.app.task(follow_fetch_state)
        # mode types handlers with a mypy_extensions NamedArg no real signature can match.
        self.app.on_before_shutdown.connect(close)  # type: ignore[arg-type]
        fetched = self._emitter(stage("fetch"))  # pushes enter where polled articles do
        add_push_view(self.app, settings, fetched)
        if fetch.subscriber is not None:
            add_websub_view(self.app, settings, fetch.subscriber, self.built.sources,
                            self.built.poller, fetched)

    async def _watch_rules(self) -> None:
        self.built.reload_rules_if_changed()

    async def _install_sighup(self) -> None:
        self.built.reload_rules_on_sighup()

    async def _serve_read_side(self) -> None:
        live, silences = self.built.live, self.runtime.silences
        assert live is not None and silences is not None
        servers = self.settings.kafka_bootstrap_servers
        await live.serve(self.settings)  # answers from what it holds, broker or not
        try:
            await asyncio.gather(
                keep_following(lambda: TopicFollower(
                    servers, self.topics.alerts, self._followed_alert, tail=HISTORY_TAIL)),
                keep_following(lambda: TopicFollower(
                    servers, self.topics.silences, silences.apply)),
            )
        finally:
            await live.aclose()

    def _followed_alert(self, key: bytes | None, value: bytes | None) -> None:
        live = self.built.live
        if live is not None and value:
            live.published(decode_any(value, (Alert,)))
