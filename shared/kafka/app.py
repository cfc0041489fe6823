"""faust app factory and worker runner shared by the four services."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import weakref
from dataclasses import dataclass
from typing import Any

import faust
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.gc_pauses import watch_gc_pauses
from shared.kafka.faust_adapter import run_faust_worker, tables_recovered
from shared.kafka.topics import ensure_topics
from shared.loop_lag import watch_loop_lag
from shared.observability import UP, configure_logging, get_logger
from shared.settings import Settings

log = get_logger(__name__)

def make_app(service: str, settings: Settings) -> faust.App:
    """One faust app per service; its id is the consumer group, so N copies share the work.

    The id carries the topic prefix, so two pipelines on one broker never share a group.
    """
    # One folder per instance: RocksDB tables are locked by the process that opens them, so
    # replicas sharing a volume (compose --scale) must not share a folder. The instance id
    # (static group membership) is stable across container re-creation; without one, host
    # name and port, stable across restarts of the same process.
    instance = settings.instance_id or f"{socket.gethostname()}-{settings.web_port}"
    datadir = settings.state_dir / f"faust-{service}-{instance}"
    app = faust.App(
        f"{settings.topic_prefix or 'frontwire'}-{service}",
        broker=settings.kafka_broker_url,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        datadir=str(datadir),
        store=f"{settings.table_store}://",
        web_enabled=True,
        web_host=settings.web_host,
        web_bind=settings.web_host,  # faust binds 0.0.0.0 otherwise, whatever web_host says
        web_port=settings.web_port,
        web_in_thread=False,
        # faust's own views (/table/{name}/{key}/ reads any table, /router/ maps keys to
        # workers, /graph/, /stats/) have no authentication: off, so a worker's port serves
        # only /metrics, /health (= /ready), /live, the service's documented routes and faust's
        # "/" status stub.
        web_router_enabled=False,
        web_tables_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        web_metrics_enabled=False,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        # A killed worker's partitions wait for its session to expire before anyone takes them
        # over: 10 s rather than faust's 60 s (heartbeats run in the consumer's own thread, so
        # a busy handler does not miss them).
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        consumer_group_instance_id=(
            f"{service}-{settings.instance_id}" if settings.instance_id else None
        ),
        producer_linger=settings.producer_linger_ms / 1000,  # faust takes seconds
        autodiscover=False,
        worker_redirect_stdouts=False,
        # Kafka records, not faust models, cross the wire (see shared/codec.py).
        topic_allow_declare=True,
    )
    _add_web_views(app, service)
    watch = _BROKER_WATCHES[app] = BrokerWatch(settings.kafka_bootstrap_servers)

    async def watch_broker() -> None:
        await watch.run()

    async def watch_loop() -> None:
        watch_gc_pauses(service)
        await watch_loop_lag(service)

    app.task(watch_broker)
    app.task(watch_loop)
    return app


@dataclass
class BrokerWatch:
    """Whether the broker answers, asked every ``period_s`` with a cluster description (public
    admin API), so readiness says not-ready during an outage even when the consumer, keeping
    its assignment, would not notice. Transitions are logged once each."""

    bootstrap: str
    ok: bool = True  # the broker answered a moment ago: the worker created its topics
    period_s: float = 2.0
    timeout_s: float = 3.0
    misses_to_fail: int = 2  # one slow answer on a loaded machine is not an outage
    _misses: int = 0

    async def run(self) -> None:
        admin: AIOKafkaAdminClient | None = None
        while True:
            try:
                if admin is None:
                    admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
                    await asyncio.wait_for(admin.start(), self.timeout_s)
                await asyncio.wait_for(admin.describe_cluster(), self.timeout_s)
                self._set(True, None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure to answer: not reachable, ask again later
                self._set(False, exc)
                if admin is not None:
                    with contextlib.suppress(Exception):
                        await admin.close()
                    admin = None
            await asyncio.sleep(self.period_s)

    def _set(self, ok: bool, error: Exception | None) -> None:
        self._misses = 0 if ok else self._misses + 1
        if not ok and self._misses < self.misses_to_fail:
            return
        if ok != self.ok:
            if ok:
                log.info("broker_reachable", bootstrap=self.bootstrap)
            else:
                log.warning("broker_unreachable", bootstrap=self.bootstrap,
                            error=f"{type(error).__name__}: {error}")
        self.ok = ok


_BROKER_WATCHES: weakref.WeakKeyDictionary[faust.App, BrokerWatch] = weakref.WeakKeyDictionary()


def _add_web_views(app: faust.App, service: str) -> None:
    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    # Readiness: /health (what services.sh, compose and the tests wait on), also as /ready.
    async def ready(web: Any, request: Any) -> Any:
        state = readiness(app)
        return web.json({"service": service, **state}, status=200 if state["ready"] else 503)

    app.page("/health")(ready)
    app.page("/ready")(ready)

    @app.page("/live")
    async def live(web: Any, request: Any) -> Any:
        state = liveness(app)
        return web.json({"service": service, **state}, status=200 if state["live"] else 503)


def liveness(app: faust.App) -> dict[str, Any]:
    """Live = the event loop answers (this runs on it) and the app has not crashed.

    Distinct from readiness on purpose: a worker waiting for the broker, rebalancing or
    recovering its tables is alive and will be ready by itself, so a liveness probe must not
    kill it (a restart only restarts the wait and sets off another rebalance). Only a crashed
    app, one that will not recover without a restart, is not live. A loop blocked for longer
    than the probe's timeout does not answer at all, which the probe also counts as a failure.
    """
    crashed = bool(app.crashed)
    reason = app.crash_reason if crashed else None
    return {
        "live": not crashed,
        "crashed": crashed,
        # The exception's type only: this port answers without authentication.
        "crash_reason": type(reason).__name__ if reason is not None else None,
    }


def readiness(app: faust.App) -> dict[str, Any]:
    """Ready = running, broker answering, not rebalancing, tables recovered, and holding
    partitions if it consumes.

    A worker answers 503 until then, so orchestration (and the tests) wait for a worker that
    can really take messages, and a worker stuck in a rebalance shows up as unhealthy.
    """
    consumes = bool(app.agents)
    assigned = len(app.consumer.assignment()) if consumes and app.consumer else 0
    recovered = tables_recovered(app)
    watch = _BROKER_WATCHES.get(app)
    broker = watch.ok if watch is not None else True
    ready = (
        app.started
        and not app.crashed
        and not app.rebalancing
        and recovered
        and broker
        and (assigned > 0 or not consumes)
    )
    return {
        "ready": ready,
        "broker_reachable": broker,
        "rebalancing": bool(app.rebalancing),
        "tables_recovered": recovered,
        "assigned_partitions": assigned,
    }


def run_worker(app: faust.App, service: str, settings: Settings) -> None:
    """Create missing topics, then run the faust worker until it is stopped."""
    configure_logging(settings.log_level, json=settings.log_json)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    # Table changelogs too: faust declares them itself at start, but a record that reaches a
    # table before the consumer's metadata has seen its changelog fails PartitionsMismatch
    # (0 partitions) until the next metadata refresh; created first, they are always known.
    changelogs = {
        table.changelog_topic_name: dict(table.extra_topic_configs)
        for table in app.tables.values()
    }
    _create_topics_when_the_broker_answers(settings, changelogs)
    UP.labels(service).set(1)
    # Logging is ours (structlog JSON, configured above); faust must not replace it.
    run_faust_worker(app)


BROKER_WAIT_MAX_S = 30.0


def _create_topics_when_the_broker_answers(
    settings: Settings, changelogs: dict[str, dict[str, str]]
) -> None:
    """A worker started while the broker is down (or not up yet) waits for it, saying so, and
    starts once it answers, instead of exiting: 1 s between tries, doubling up to 30 s. Its
    HTTP port (/live, /health) opens only then, with the faust app."""
    delay = 1.0
    while True:
        try:
            asyncio.run(ensure_topics(settings, changelogs))
            return
        except (KafkaConnectionError, OSError) as exc:
            log.warning("broker_unavailable", bootstrap=settings.kafka_bootstrap_servers,
                        error=str(exc), retry_in_s=delay)
            time.sleep(delay)
            delay = min(BROKER_WAIT_MAX_S, delay * 2)
