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
from collections.abc import Sequence
from typing import Any

import faust
import orjson

from services.alerting.grouping import MappingGroupStore
from services.alerting.history import MemoryAlertHistory
from services.alerting.live import LiveSide
from services.alerting.reload import RuleSetHolder
from services.alerting.silences import MemorySilenceStore, Silence, Silences
from services.alerting.tables import CONTROL_PREFIX, GroupIndex, TableDeliveryLog
from services.alerting.timing import flush_group
from services.bootstrap import build_dispatcher
from services.pipeline import candidate_from_wire, candidate_to_wire, decide_step
from shared.codec import decode, encode
from shared.kafka import StageLoop, TopicMap
from shared.kafka.deadletter import encode_dead_letter
from shared.kafka.follow import TopicFollower
from shared.kafka.stage import Emit
from shared.observability import DEAD_LETTERS, get_logger
from shared.records import Alert, AlertCandidate, DeadLetter, EnrichedArticle
from shared.settings import Settings

log = get_logger(__name__)

HISTORY_TAIL = 1000  # alerts per partition of the alerts topic the API starts with


class BroadcastSilenceStore(MemorySilenceStore):
    """Silences held in memory by every instance; a local change is also published to the
    compacted silences topic, and every instance applies what it reads there."""

    def __init__(self, publish: Any) -> None:
        super().__init__()
        self._publish = publish

    def put(self, silence: Silence) -> None:
        super().put(silence)
        self._publish(silence)

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        if value:
            MemorySilenceStore.put(self, Silence.from_dict(orjson.loads(value)))


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    holder = RuleSetHolder(settings.rules_files)
    candidates = app.topic(topics.candidates)
    deadletter = app.topic(topics.deadletter)
    # Same partition count as alerts.candidates: the tables are co-partitioned with it.
    # Keys and values go to the changelog as JSON (faust's default for untyped tables).
    table_opts: dict[str, Any] = {"partitions": settings.partitions, "key_type": str}
    groups = MappingGroupStore(app.Table("alert-groups", default=None, **table_opts))
    deliveries = TableDeliveryLog(app.Table("alert-deliveries", default=None, **table_opts))
    index = GroupIndex()
    background: set[asyncio.Future[Any]] = set()

    def spawn(coro: Any) -> None:
        future = asyncio.ensure_future(coro)
        background.add(future)
        future.add_done_callback(background.discard)

    def control(message: dict[str, Any], key: str) -> None:
        spawn(candidates.send(key=key.encode(), value=orjson.dumps(message)))

    deliveries.control = lambda m: control(m, index.group_of(m["delivery_key"]))
    silences_topic = app.topic(topics.silences)
    store = BroadcastSilenceStore(
        lambda s: spawn(silences_topic.send(key=s.id.encode(), value=orjson.dumps(s.to_dict())))
    )
    live = LiveSide(MemoryAlertHistory(), Silences(store))

    async def sink_dead_letter(alert: Alert, sink: str, error: Exception) -> None:
        DEAD_LETTERS.labels(f"alerting.{sink}").inc()
        record = DeadLetter(
            stage=f"alerting.sink.{sink}",
            topic=topics.alerts,
            partition=None,
            offset=None,
            error=f"{type(error).__name__}: {error}",
            payload=encode(alert).decode(),
            key=alert.group_key,
            at=time.time(),
        )
        await deadletter.send(key=alert.group_key.encode(), value=encode_dead_letter(record))

    dispatcher = build_dispatcher(settings, deliveries, on_dead_letter=sink_dead_letter)
    dispatcher.set_route_limits(holder.current.route_limits)
    holder.subscribe(lambda rules: dispatcher.set_route_limits(rules.route_limits))
    alerts = app.topic(topics.alerts)

    async def match(key: bytes | None, value: bytes) -> Sequence[Emit]:
        enriched = decode(value, EnrichedArticle)
        return [
            Emit(candidates, c.group_key.encode(), encode(candidate_to_wire(c)))
            for c in holder.current.match(enriched)
        ]

    async def send(alert: Alert, routes: Sequence[str]) -> Sequence[Emit]:
        if live.silenced(alert):
            return []
        index.remember(alert.alert_id, alert.group_key)
        outcomes = await dispatcher.dispatch(alert, routes)
        if not {"delivered", "queued"} & set(outcomes.values()):
            return []  # a replay that every sink had already received
        return [Emit(alerts, alert.group_key.encode(), encode(alert))]

    async def deliver(key: bytes | None, value: bytes) -> Sequence[Emit]:
        if value.startswith(CONTROL_PREFIX):
            return await on_control(orjson.loads(value))
        candidate = candidate_from_wire(holder.current, decode(value, AlertCandidate))
        routed = decide_step(candidate, groups, time.time())
        if routed is None:
            return []
        return await send(routed.alert, routed.routes)

    async def on_control(message: dict[str, Any]) -> Sequence[Emit]:
        if message.get("control") in ("delivered", "dropped"):
            deliveries.apply(message)
            return []
        released = flush_group(groups, str(message["group_key"]), time.time(), holder.current.get)
        return [] if released is None else await send(released.alert, released.routes)

    requested: dict[str, float] = {}  # group key -> due_at a flush was asked for

    @app.timer(interval=1.0)
    async def flush_due_groups() -> None:
        # A timer sees only this worker's partitions: exactly the groups it owns.
        now = time.time()
        due = groups.due(now)
        for key in set(requested) - set(due):
            del requested[key]
        for key in due:
            state = groups.get(key)
            if state is None or requested.get(key) == state.due_at:
                continue
            requested[key] = state.due_at or now
            control({"control": "flush", "group_key": key}, key)
        await dispatcher.resume()  # pending deliveries of partitions this worker took over

    @app.timer(interval=5.0)
    async def watch_rules() -> None:
        holder.reload_if_changed()

    @app.task
    async def install_sighup() -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, holder.reload)

    @app.task
    async def serve_read_side() -> None:
        followers = [
            TopicFollower(
                settings.kafka_bootstrap_servers,
                topics.alerts,
                lambda _k, v: live.published(decode(v or b"", Alert)),
                tail=HISTORY_TAIL,
            ),
            TopicFollower(settings.kafka_bootstrap_servers, topics.silences, store.apply),
        ]
        await live.serve(settings)
        try:
            await asyncio.gather(*(f.run() for f in followers))
        finally:
            await live.aclose()

    StageLoop(app, "alerting.match", app.topic(topics.enriched), deadletter).attach(
        match, name="alerting_match"
    )
    StageLoop(app, "alerting.deliver", candidates, deadletter).attach(
        deliver, name="alerting_deliver"
    )
