"""faust app factory and worker runner shared by the four services."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.kafka.topics import ensure_topics
from shared.observability import UP, configure_logging
from shared.settings import Settings


def make_app(service: str, settings: Settings) -> faust.App:
    """One faust app per service; its id is the consumer group, so N copies share the work.

    The id carries the topic prefix, so two pipelines on one broker never share a group.
    """
    datadir = settings.state_dir / f"faust-{service}"
    app = faust.App(
        f"{settings.topic_prefix or 'frontwire'}-{service}",
        broker=settings.kafka_broker_url,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        datadir=str(datadir),
        store="memory://",
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        producer_linger_ms=0,
        autodiscover=False,
        worker_redirect_stdouts=False,
        # Kafka records, not faust models, cross the wire (see shared/codec.py).
        topic_allow_declare=True,
    )
    _add_web_views(app, service)
    return app


def _add_web_views(app: faust.App, service: str) -> None:
    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        consumer = app.consumer if app.consumer else None
        assigned = len(consumer.assignment()) if consumer is not None else 0
        ok = app.started and not app.crashed
        return web.json(
            {"service": service, "ok": ok, "assigned_partitions": assigned},
            status=200 if ok else 503,
        )


def run_worker(app: faust.App, service: str, settings: Settings) -> None:
    """Create missing topics, then run the faust worker until it is stopped."""
    configure_logging(settings.log_level, json=settings.log_json)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(ensure_topics(settings))
    UP.labels(service).set(1)
    worker = faust.Worker(app, loglevel=logging.getLevelName(settings.log_level.upper()))
    worker.execute_from_commandline()
