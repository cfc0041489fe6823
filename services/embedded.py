"""Embedded mode: the declared pipeline in one asyncio process, no Kafka.

State (articles seen, feed validators, alert groups and deliveries) lives in SQLite files under
``settings.state_dir``, so a restart neither refetches nor re-alerts. The objects come from
the composition root (services/bootstrap.py); the stages run on the in-process runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.alerting.sinks import Sink
from services.bootstrap import bootstrap
from services.fetcher.intake_aiohttp import EmbeddedIntake
from services.fetcher.schedule import Schedule
from services.io_stages import Fetch
from services.runtimes.inprocess import InProcessPipeline, InProcessRuntime
from shared.gc_pauses import watch_gc_pauses
from shared.loop_lag import watch_loop_lag
from shared.observability import UP, get_logger
from shared.settings import Settings

log = get_logger(__name__)

FEED_CONCURRENCY = 4  # sources polled at once in one process
SERVICE = "embedded"  # the stage label of its metrics (frontwire_up) and its probes' name


@dataclass
class EmbeddedState:
    """What /health (= /ready) and /live say of the process. Ready once state is resumed and
    the intake listens: polling is under way and pushed articles are taken. Live whenever the
    probe is answered at all: the answer runs on the event loop everything else runs on, and
    a pipeline that fails stops the process (an orchestrator sees the port close)."""

    started: bool = False

    def probe(self) -> dict[str, Any]:
        return {"ready": self.started, "live": True, "started": self.started}


def embedded_pipeline(
    settings: Settings,
    *,
    persistent: bool = True,
    services: Sequence[str] | None = None,
    sinks: Mapping[str, Sink] | None = None,
) -> InProcessPipeline:
    """The pipeline of embedded mode (``persistent``: state in files) or of a replay (memory:
    the same files show the same alerts again)."""
    built = bootstrap(
        settings, InProcessRuntime(persistent=persistent), services=services, sinks=sinks,
        watch_rules=persistent,
    )
    return InProcessPipeline(built)


async def run_embedded(settings: Settings, *, once: bool = False) -> None:
    pipeline = embedded_pipeline(settings)
    fetch = pipeline.built.handlers["fetch"]
    assert isinstance(fetch, Fetch)
    fetch.concurrency = FEED_CONCURRENCY
    if once:  # every source at once, no start-up spread
        fetch.schedule = Schedule(pipeline.built.sources, spread_s=0.0)
    log.info("embedded_started", sources=len(pipeline.built.sources),
             state_dir=str(settings.state_dir))
    await pipeline.start(prune_every_s=settings.prune_every_s)
    live = pipeline.built.live
    if live is not None and not once:  # a one-shot poll has no use for a live page
        await live.serve(settings)
    # POST /articles and /websub/{key}, as the Kafka fetcher serves them; what they take
    # goes into the same pipeline as polled articles, dedup stage first. The same port serves
    # /metrics, /health, /ready and /live, as every worker's does.
    state = EmbeddedState()
    intake = EmbeddedIntake(settings, pipeline.built.sources, pipeline.built.poller,
                            fetch.subscriber, lambda raw: pipeline.send("dedup", raw),
                            state=state.probe)
    watch_gc_pauses(SERVICE)
    lag = asyncio.create_task(watch_loop_lag(SERVICE))  # as every worker measures its loop
    try:
        if not once:
            await intake.start()
        state.started = True
        UP.labels(SERVICE).set(1)
        with _stop_on_sigterm() as stopping:
            try:
                await _watch_feeds(pipeline, fetch, once=once)
            except asyncio.CancelledError:
                if not stopping.is_set():
                    raise
                log.info("embedded_stopping", signal="SIGTERM")
    finally:
        lag.cancel()
        state.started = False
        UP.labels(SERVICE).set(0)
        await intake.aclose()
        await pipeline.aclose()
        if live is not None:
            await live.aclose()


async def _watch_feeds(pipeline: InProcessPipeline, fetch: Fetch, *, once: bool) -> None:
    # The adaptive schedule (services/fetcher/schedule.py): busy sources more often.
    while True:
        await pipeline.tick("fetch")
        if once:
            return
        await asyncio.sleep(max(0.05, fetch.wait_s()))


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[asyncio.Event]:
    """SIGTERM (how a service manager or ``kill`` stops a process) cancels the main task the
    way Ctrl-C does, so a stop finishes the deliveries under way and records them. Without
    it the process dies at once and an alert whose answer was not yet recorded is sent again
    at the next start."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        yield stopping
        return
    try:
        yield stopping
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if stopping.is_set() and task is not None:
            task.uncancel()  # the stop is handled: the clean-up below may await normally
