"""Kafka adapter for alerting, in two hops.

1. articles.enriched (keyed by story) -> rules -> alerts.candidates, re-keyed by group key;
2. alerts.candidates -> grouping against a faust table -> sinks -> alerts (the delivered log).

The re-keying is what makes grouping correct with N alerting instances: every report of one
event lands in one partition, owned by one instance, with its group state and delivery record
in tables backed by changelog topics, so a restarted or rebalanced instance resumes them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import faust

from services.alerting.grouping import MappingGroupStore
from services.alerting.rules import RuleSet
from services.bootstrap import build_dispatcher
from services.pipeline import candidate_from_wire, candidate_to_wire, decide_step
from shared.codec import decode, encode
from shared.kafka import StageLoop, TopicMap
from shared.kafka.deadletter import encode_dead_letter
from shared.kafka.stage import Emit
from shared.observability import DEAD_LETTERS
from shared.records import Alert, AlertCandidate, DeadLetter, EnrichedArticle
from shared.settings import Settings


class TableDeliveryLog:
    """DeliveryLog over a faust table keyed by "<delivery key>|<sink>"."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def seen(self, delivery_key: str, sink: str) -> bool:
        return bool(self.table.get(f"{delivery_key}|{sink}"))

    def record(self, delivery_key: str, sink: str) -> None:
        self.table[f"{delivery_key}|{sink}"] = time.time()


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    rules = RuleSet.load(*settings.rules_files)
    candidates = app.topic(topics.candidates)
    alerts = app.topic(topics.alerts)
    deadletter = app.topic(topics.deadletter)
    # Same partition count as alerts.candidates: the tables are co-partitioned with it.
    # Keys and values go to the changelog as JSON (faust's default for untyped tables).
    table_opts: dict[str, Any] = {"partitions": settings.partitions, "key_type": str}
    groups = MappingGroupStore(app.Table("alert-groups", default=None, **table_opts))
    log = TableDeliveryLog(app.Table("alert-deliveries", default=None, **table_opts))

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

    dispatcher = build_dispatcher(settings, log, on_dead_letter=sink_dead_letter)

    async def match(key: bytes | None, value: bytes) -> Sequence[Emit]:
        enriched = decode(value, EnrichedArticle)
        return [
            Emit(candidates, c.group_key.encode(), encode(candidate_to_wire(c)))
            for c in rules.match(enriched)
        ]

    async def deliver(key: bytes | None, value: bytes) -> Sequence[Emit]:
        candidate = candidate_from_wire(rules, decode(value, AlertCandidate))
        routed = decide_step(candidate, groups, time.time())
        if routed is None:
            return []
        outcomes = await dispatcher.dispatch(routed.alert, routed.routes)
        if "delivered" not in outcomes.values():
            return []  # a replay that every sink had already received
        return [Emit(alerts, routed.alert.group_key.encode(), encode(routed.alert))]

    StageLoop(app, "alerting.match", app.topic(topics.enriched), deadletter).attach(
        match, name="alerting_match"
    )
    StageLoop(app, "alerting.deliver", candidates, deadletter).attach(
        deliver, name="alerting_deliver"
    )
