"""Kafka adapter for alerting, in two hops.

1. articles.enriched (keyed by story) -> rules -> alerts.candidates, re-keyed by group key;
2. alerts.candidates -> grouping against a faust table -> sinks -> alerts (the delivered log).

The re-keying is what makes grouping correct with N alerting instances: every report of one
event lands in one partition, owned by one instance, with its group state and delivery record
in tables backed by changelog topics, so a restarted or rebalanced instance resumes them.
Timers and the delivery outbox write those tables through control messages (see tables.py).

The read side (API, live page, silences) is held in full by every instance: each follows the
whole `alerts` topic and the compacted `silences` topic itself (shared/kafka/follow.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

import faust
import orjson

from services.alerting.grouping import MappingGroupStore
from services.alerting.history import MemoryAlertHistory
from services.alerting.live import LiveSide
from services.alerting.reload import RuleSetHolder
from services.alerting.silences import MemorySilenceStore, Silence, Silences
from services.alerting.tables import (
    CONTROL_PREFIX,
    GroupIndex,
    TableDeliveryLog,
    delivery_stamp,
    group_stamp,
)
from services.alerting.timing import flush_group
from services.bootstrap import build_dispatcher
from services.pipeline import candidate_from_wire, candidate_to_wire, decide_step
from shared.codec import decode, encode
from shared.kafka import StageLoop, TopicMap
from shared.kafka.deadletter import encode_dead_letter
from shared.kafka.follow import TopicFollower
from shared.kafka.retention import forget_local
from shared.kafka.stage import Emit
from shared.kafka.topics import retention_configs
from shared.observability import DEAD_LETTERS, STATE_PRUNED, get_logger
from shared.records import Alert, AlertCandidate, DeadLetter, EnrichedArticle
from shared.settings import Settings

log = get_logger(__name__)

HISTORY_TAIL = 1000  # alerts per partition of the alerts topic the API starts with


class BroadcastSilenceStore(MemorySilenceStore):
    """Silences held in memory by every instance; a local change is also published to the
    compacted silences topic (a deletion as a tombstone), and every instance applies what it
    reads there."""

    def __init__(self, publish: Callable[[str, bytes | None], None]) -> None:
        super().__init__()
        self._publish = publish

    def put(self, silence: Silence) -> None:
        super().put(silence)
        self._publish(silence.id, orjson.dumps(silence.to_dict()))

    def delete(self, silence_id: str) -> None:
        super().delete(silence_id)
        self._publish(silence_id, None)

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        if value:
            MemorySilenceStore.put(self, Silence.from_dict(orjson.loads(value)))
        elif key:
            MemorySilenceStore.delete(self, key.decode())


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    AlertingWorker(app, settings, topics).register()


class AlertingWorker:
    """The alerting service's agents, timers and tasks on one faust app."""

    def __init__(self, app: faust.App, settings: Settings, topics: TopicMap) -> None:
        self.app, self.settings, self.topics = app, settings, topics
        self.holder = RuleSetHolder(settings.rules_files)
        self.candidates = app.topic(topics.candidates)
        self.alerts = app.topic(topics.alerts)
        self.deadletter = app.topic(topics.deadletter)
        self.silences_topic = app.topic(topics.silences)
        # Same partition count as alerts.candidates: the tables are co-partitioned with it.
        # Keys and values go to the changelog as JSON (faust's default for untyped tables).
        # The changelogs expire keys not re-written within their retention (compact,delete),
        # which bounds them and the time a restarted worker takes to restore its tables.
        opts: dict[str, Any] = {"partitions": settings.partitions, "key_type": str}
        self.group_table = app.Table(
            "alert-groups", default=None,
            extra_topic_configs=retention_configs(settings.retention_groups_s), **opts,
        )
        self.delivery_table = app.Table(
            "alert-deliveries", default=None,
            extra_topic_configs=retention_configs(settings.retention_deliveries_s), **opts,
        )
        self.groups = MappingGroupStore(self.group_table)
        self.deliveries = TableDeliveryLog(self.delivery_table)
        self.index = GroupIndex()
        self.deliveries.control = lambda m: self.control(m, self.index.group_of(m["delivery_key"]))
        self.store = BroadcastSilenceStore(self._publish_silence)
        silences = Silences(
            self.store, max_silences=settings.max_silences,
            retention_s=settings.retention_silences_s,
        )
        self.live = LiveSide(MemoryAlertHistory(), silences)
        self.dispatcher = build_dispatcher(
            settings, self.deliveries, on_dead_letter=self.sink_dead_letter
        )
        self.dispatcher.set_route_limits(self.holder.current.route_limits)
        self.holder.subscribe(lambda rules: self.dispatcher.set_route_limits(rules.route_limits))
        self._background: set[asyncio.Future[Any]] = set()
        self._requested: dict[str, float] = {}  # group key -> due_at a flush was asked for

    def register(self) -> None:
        app = self.app
        StageLoop(app, "alerting.match", app.topic(self.topics.enriched), self.deadletter).attach(
            self.match, name="alerting_match"
        )
        StageLoop(app, "alerting.deliver", self.candidates, self.deadletter).attach(
            self.deliver, name="alerting_deliver"
        )
        app.timer(interval=1.0, name="frontwire.alerting_flush")(self.flush_due_groups)
        app.timer(interval=5.0, name="frontwire.alerting_rules")(self.watch_rules)
        app.timer(interval=self.settings.prune_every_s, name="frontwire.alerting_retention")(
            self.apply_retention
        )
        app.task(self.install_sighup)
        app.task(self.serve_read_side)

    # -- background work -------------------------------------------------------------------

    def spawn(self, coro: Any) -> None:
        future = asyncio.ensure_future(coro)
        self._background.add(future)
        future.add_done_callback(self._background.discard)

    def control(self, message: dict[str, Any], key: str) -> None:
        """Ask the deliver agent, on the partition of ``key``, to do a table write for us."""
        self.spawn(self.candidates.send(key=key.encode(), value=orjson.dumps(message)))

    def _publish_silence(self, silence_id: str, value: bytes | None) -> None:
        self.spawn(self.silences_topic.send(key=silence_id.encode(), value=value))

    async def sink_dead_letter(self, alert: Alert, sink: str, error: Exception) -> None:
        DEAD_LETTERS.labels(f"alerting.{sink}").inc()
        record = DeadLetter(
            stage=f"alerting.sink.{sink}",
            topic=self.topics.alerts,
            partition=None,
            offset=None,
            error=f"{type(error).__name__}: {error}",
            payload=encode(alert).decode(),
            key=alert.group_key,
            at=time.time(),
        )
        await self.deadletter.send(key=alert.group_key.encode(), value=encode_dead_letter(record))

    # -- the two hops ------------------------------------------------------------------------

    async def match(self, key: bytes | None, value: bytes) -> Sequence[Emit]:
        enriched = decode(value, EnrichedArticle)
        return [
            Emit(self.candidates, c.group_key.encode(), encode(candidate_to_wire(c)))
            for c in self.holder.current.match(enriched)
        ]

    async def deliver(self, key: bytes | None, value: bytes) -> Sequence[Emit]:
        if value.startswith(CONTROL_PREFIX):
            return await self.on_control(orjson.loads(value))
        candidate = candidate_from_wire(self.holder.current, decode(value, AlertCandidate))
        routed = decide_step(candidate, self.groups, time.time())
        if routed is None:
            return []
        return await self.send(routed.alert, routed.routes)

    async def on_control(self, message: dict[str, Any]) -> Sequence[Emit]:
        if message.get("control") in ("delivered", "dropped"):
            self.deliveries.apply(message)
            return []
        group_key = str(message["group_key"])
        released = flush_group(self.groups, group_key, time.time(), self.holder.current.get)
        return [] if released is None else await self.send(released.alert, released.routes)

    async def send(self, alert: Alert, routes: Sequence[str]) -> Sequence[Emit]:
        if self.live.silenced(alert):
            return []
        self.index.remember(alert.alert_id, alert.group_key)
        outcomes = await self.dispatcher.dispatch(alert, routes)
        log.info("alert_dispatched", alert_id=alert.alert_id, version=alert.version, **outcomes)
        if not {"delivered", "queued"} & set(outcomes.values()):
            return []  # a replay that every sink had already received
        return [Emit(self.alerts, alert.group_key.encode(), encode(alert))]

    # -- timers and tasks --------------------------------------------------------------------

    async def flush_due_groups(self) -> None:
        # A timer sees only this worker's partitions: exactly the groups it owns.
        now = time.time()
        due = self.groups.due(now)
        for key in set(self._requested) - set(due):
            del self._requested[key]
        for key in due:
            state = self.groups.get(key)
            if state is None or self._requested.get(key) == state.due_at:
                continue
            self._requested[key] = state.due_at or now
            self.control({"control": "flush", "group_key": key}, key)
        await self.dispatcher.resume()  # pending deliveries of partitions this worker took over

    async def apply_retention(self) -> None:
        """Forget, in this worker's memory, what the changelogs' retention forgets on disk
        (and a restart would not restore): groups not updated and deliveries older than their
        retention; delete silences that ended long ago (a tombstone for every instance)."""
        now = time.time()
        gone = {
            "alert_groups": forget_local(
                self.group_table, now - self.settings.retention_groups_s, group_stamp
            ),
            "alert_deliveries": forget_local(
                self.delivery_table, now - self.settings.retention_deliveries_s, delivery_stamp
            ),
            "silences": self.live.silences.prune(now),
        }
        for store, count in gone.items():
            STATE_PRUNED.labels(store).inc(count)
        if any(gone.values()):
            self.groups.rescan()
            log.info("state_pruned", **gone)

    async def watch_rules(self) -> None:
        self.holder.reload_if_changed()

    async def install_sighup(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.holder.reload)

    async def serve_read_side(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        followers = [
            TopicFollower(bootstrap, self.topics.alerts, self._followed_alert, tail=HISTORY_TAIL),
            TopicFollower(bootstrap, self.topics.silences, self.store.apply),
        ]
        await self.live.serve(self.settings)
        try:
            await asyncio.gather(*(f.run() for f in followers))
        finally:
            await self.live.aclose()

    def _followed_alert(self, key: bytes | None, value: bytes | None) -> None:
        self.live.published(decode(value or b"", Alert))
