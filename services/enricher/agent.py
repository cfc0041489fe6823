"""Kafka adapter: articles.clean -> enricher core -> articles.enriched (keyed by story)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import faust

from services.enricher import Enricher
from services.pipeline import enrich_step, warm_up
from shared.codec import decode, encode
from shared.kafka import StageLoop, TopicMap
from shared.kafka.stage import Emit
from shared.records import CleanArticle
from shared.settings import Settings


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    enricher = Enricher()
    warm_up(enricher=enricher)
    out = app.topic(topics.enriched)

    async def handle(key: bytes | None, value: bytes) -> Sequence[Emit]:
        enriched = enrich_step(enricher, decode(value, CleanArticle), time.time())
        return [Emit(out, enriched.story_id.encode(), encode(enriched))]

    StageLoop(app, "enricher", app.topic(topics.clean), app.topic(topics.deadletter)).attach(handle)
