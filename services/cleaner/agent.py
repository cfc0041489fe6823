"""Kafka adapter: articles.raw -> cleaner core -> articles.clean."""

from __future__ import annotations

import time
from collections.abc import Sequence

import faust

from services.cleaner import Cleaner
from services.pipeline import clean_step, warm_up
from shared.codec import decode, encode
from shared.kafka import StageLoop, TopicMap
from shared.kafka.stage import Emit
from shared.records import RawArticle
from shared.settings import Settings


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    cleaner = Cleaner()
    warm_up(cleaner=cleaner)
    out = app.topic(topics.clean)

    async def handle(key: bytes | None, value: bytes) -> Sequence[Emit]:
        article = clean_step(cleaner, decode(value, RawArticle), time.time())
        return [] if article is None else [Emit(out, article.id.encode(), encode(article))]

    StageLoop(app, "cleaner", app.topic(topics.raw), app.topic(topics.deadletter)).attach(handle)
