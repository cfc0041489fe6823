"""Kafka adapter for the fetcher.

* The group leader polls the sources on the adaptive schedule (a faust leader timer).
* Every instance takes ``POST /articles`` (bearer token, size limit) and WebSub callbacks.
* Nothing goes to ``articles.raw`` directly: polls, pushes and WebSub deliveries all go to
  ``fetch.dedup`` keyed by article id, whose agent forwards only ids its changelogged table
  has not seen. Kafka routes one id to one partition, so to one instance, and the table
  survives restarts and rebalances: an article is emitted once whichever instance (or
  leader, after a fail-over) fetched or received it, however often.
* The poller's own state (feed validators, seen keys) is shared: writes go to the compacted
  ``fetch.state`` topic and every instance follows that topic into a ``SharedFetchState``. The
  leader polls only once it has read the whole topic, so a new leader after a fail-over sends
  conditional GETs and does not re-fetch pages the old leader fetched.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust

from services.bootstrap import build_fetcher
from services.fetcher.agent_web import add_push_view, add_websub_view, make_subscriber
from services.fetcher.metrics import DEDUP
from services.fetcher.poller import FeedPoller
from services.fetcher.schedule import Schedule
from services.fetcher.scheduler import run_due
from services.fetcher.shared_state import DEFAULT_REFRESH_S, SharedFetchState
from services.fetcher.sources import load_sources
from services.fetcher.websub import subscribe
from shared.codec import encode
from shared.kafka import TopicMap
from shared.kafka.follow import TopicFollower
from shared.kafka.retention import forget_local
from shared.kafka.stage import Emit, StageLoop
from shared.kafka.topics import retention_configs
from shared.observability import MESSAGES_OUT, STATE_PRUNED, get_logger
from shared.records import RawArticle
from shared.settings import Settings

log = get_logger(__name__)

SEEN_TABLE = "fetcher-seen-ids"  # changelog: <prefix>-fetcher-fetcher-seen-ids-changelog


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    raw_topic = app.topic(topics.raw)
    dedup_topic = app.topic(topics.dedup)  # key: article id
    seen = app.Table(
        SEEN_TABLE, default=None, partitions=settings.partitions, key_type=str,
        # An id not seen again within the retention goes from the changelog, and from memory
        # (forget_seen below); a feed still listing it is stopped by the poller's own state.
        extra_topic_configs=retention_configs(settings.retention_seen_s),
    )
    sources = load_sources(settings.feeds_file)
    schedule = Schedule(sources)
    holder: dict[str, FeedPoller] = {}
    state_topic = app.topic(topics.state)
    background: set[asyncio.Future[Any]] = set()
    caught_up = asyncio.Event()

    def publish_state(key: str, value: bytes | None) -> None:
        # Called from the poller's synchronous state writes, inside the worker's event loop.
        future = asyncio.ensure_future(state_topic.send(key=key.encode(), value=value))
        background.add(future)
        future.add_done_callback(sent_state)

    def sent_state(future: asyncio.Future[Any]) -> None:
        background.discard(future)
        if not future.cancelled() and future.exception() is not None:
            # Only costs a re-fetch by a future leader; the local state is already updated.
            log.warning("fetch_state_send_failed", error=str(future.exception()))

    # Keys in use are re-published well within the state topic's retention.
    state = SharedFetchState(
        publish_state, refresh_s=min(DEFAULT_REFRESH_S, settings.retention_seen_s / 4)
    )

    async def emit(article: RawArticle) -> None:
        # Wait for the broker's ack: the poller marks the article seen once this returns, so
        # an article buffered in the producer when the worker dies is fetched again, not lost.
        sent = await dedup_topic.send(key=article.id.encode(), value=encode(article))
        await sent

    def poller() -> FeedPoller:
        # Built lazily inside the worker's event loop (httpx clients bind to it).
        if "p" not in holder:
            holder["p"] = FeedPoller(
                build_fetcher(settings), state, robots_cache_max=settings.robots_cache_max
            )
        return holder["p"]

    async def close_poller(sender: Any, *args: Any, **kwargs: Any) -> None:
        # The parser's process pool (and its forkserver) ends with the worker.
        if "p" in holder:
            holder.pop("p").close()

    # mode types handlers with a mypy_extensions NamedArg no real signature can match.
    app.on_before_shutdown.connect(close_poller)  # type: ignore[arg-type]

    async def first_seen(key: bytes | None, value: bytes) -> list[Emit]:
        article_id = (key or b"").decode()
        if not article_id or seen.get(article_id) is not None:
            DEDUP.labels("duplicate" if article_id else "no_key").inc()
            return []
        seen[article_id] = time.time()
        DEDUP.labels("first").inc()
        MESSAGES_OUT.labels("fetcher").inc()
        return [Emit(raw_topic, article_id.encode(), value)]

    StageLoop(app, "fetcher.dedup", dedup_topic, app.topic(topics.deadletter)).attach(
        first_seen, name="fetcher_dedup"
    )
    subscriber = make_subscriber(settings)

    def on_caught_up() -> None:
        if caught_up.is_set():
            return
        log.info("fetch_state_caught_up", topic=topics.state, entries=len(state))
        caught_up.set()

    @app.task
    async def follow_fetch_state() -> None:
        # Every instance, not only the leader: any of them may be the next leader. Re-reading
        # the topic after a failure is harmless (applying a record twice changes nothing).
        while True:
            follower = TopicFollower(
                settings.kafka_bootstrap_servers, topics.state, state.apply, tail=None,
                on_caught_up=on_caught_up,
            )
            try:
                await follower.run()
            except Exception:
                log.exception("fetch_state_follow_failed", topic=topics.state)
                await asyncio.sleep(5.0)

    @app.timer(interval=settings.prune_every_s, name="frontwire.fetcher_retention")
    async def forget_seen() -> None:
        gone = forget_local(
            seen, time.time() - settings.retention_seen_s,
            lambda key, at: float(at) if isinstance(at, int | float) else None,
        )
        STATE_PRUNED.labels("fetcher_seen_ids").inc(gone)

    @app.timer(interval=1.0, on_leader=True, name="frontwire.fetcher_poll")
    async def poll_due_sources() -> None:
        if not caught_up.is_set():
            return  # polling on a partial state would re-fetch what another leader fetched
        await run_due(poller(), schedule, emit)
        if subscriber is not None:
            for hub, topic in list(poller().hubs.values()):
                if subscriber.needs_subscribe(topic):
                    ok = await subscribe(poller().fetcher, subscriber, hub, topic)
                    log.info("websub_subscribe", hub=hub, topic=topic, accepted=ok)

    add_push_view(app, settings, emit)
    if subscriber is not None:
        add_websub_view(app, settings, subscriber, sources, poller, emit)

