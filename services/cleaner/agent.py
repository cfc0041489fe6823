"""Kafka adapter: articles.raw -> cleaner core -> articles.clean."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

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
    # HTML extraction is CPU work on untrusted input: off the event loop (so the worker keeps
    # heartbeating and committing), on one thread (the Cleaner's memory is not thread-safe),
    # bounded by the cleaner's own input budgets (a thread cannot be stopped).
    worker = ThreadPoolExecutor(1, thread_name_prefix="frontwire-cleaner")

    async def handle(key: bytes | None, value: bytes) -> Sequence[Emit]:
        raw = decode(value, RawArticle)
        loop = asyncio.get_running_loop()
        article = await loop.run_in_executor(worker, clean_step, cleaner, raw, time.time())
        return [] if article is None else [Emit(out, article.id.encode(), encode(article))]

    StageLoop(app, "cleaner", app.topic(topics.raw), app.topic(topics.deadletter)).attach(handle)
