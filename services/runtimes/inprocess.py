"""The in-process runtime: the declared stages (services/flow.py) run as calls in one asyncio
process — embedded mode, ``replay`` and the tests.

A record handed to a stage follows the outputs of each stage through the next ones until the
end. Consecutive pure stages run together on one worker thread (CPU work on untrusted input,
kept off the event loop, which keeps polling and delivering meanwhile; one thread, so their
state is never used concurrently); the I/O stages (fetch, deliver) run on the loop. Ticks are
records like any other, handed to the stages that declare a period.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.grouping import MemoryGroupStore, SqliteGroupStore
from services.alerting.history import HISTORY_FILE, MemoryAlertHistory, SqliteAlertHistory
from services.alerting.silences import MemorySilenceStore, SqliteSilenceStore
from services.alerting.sinks.dispatcher import SettleLater
from services.bootstrap import Assembly, DeadLetterHook, Stores
from services.fetcher.local_state import MemoryFetchState, SqliteFetchState
from services.flow import StageSpec
from services.stages import MemorySeenIds, SeenKeys
from shared.observability import MESSAGES_IN, get_logger
from shared.policy import Action
from shared.records import Alert, Tick
from shared.settings import Settings

log = get_logger(__name__)


class InProcessRuntime:
    """Stores for one process: SQLite files under ``settings.state_dir`` (``persistent``, so a
    restart neither refetches nor re-alerts) or memory (a replay shows the same alerts again)."""

    name = "inprocess"

    def __init__(self, *, persistent: bool) -> None:
        self.persistent = persistent

    def stores(self, settings: Settings) -> Stores:
        if not self.persistent:
            return Stores(MemoryGroupStore(), MemoryDeliveryLog(), MemorySeenIds(),
                          MemoryFetchState(), MemoryAlertHistory(), MemorySilenceStore())
        # State files first: a corrupt or unwritable one stops start-up at once, by name
        # (shared.sqlite.StateFileError), before seconds of model loading.
        def path(name: str) -> Path:
            settings.state_dir.mkdir(parents=True, exist_ok=True)
            return settings.state_dir / name

        groups = SqliteGroupStore(path("alert-groups.sqlite"))
        deliveries = SqliteDeliveryLog(path("deliveries.sqlite"))
        fetch_state = SqliteFetchState(
            path("fetcher.sqlite"), touch_s=settings.retention_seen_s / 4
        )
        return Stores(
            groups, deliveries, SeenKeys(fetch_state), fetch_state,
            SqliteAlertHistory(path(HISTORY_FILE)),
            SqliteSilenceStore(path("silences.sqlite")),
            retention=[
                ("alert_groups", lambda now: groups.prune(settings.retention_groups_s, now)),
                ("alert_deliveries",
                 lambda now: deliveries.prune(settings.retention_deliveries_s, now)),
                ("fetcher_seen", lambda now: fetch_state.prune(settings.retention_seen_s, now)),
            ],
        )

    def dead_letter_hook(self) -> DeadLetterHook | None:
        return None  # no dead-letter topic in one process: the dispatcher logs and counts

    def settle_later(self) -> SettleLater | None:
        return None  # the outbox writes the delivery log itself


class InProcessPipeline:
    """Runs an `Assembly`'s stages in order, in this process."""

    def __init__(self, built: Assembly) -> None:
        self.built = built
        self.specs = built.specs()
        self._core_thread = ThreadPoolExecutor(1, thread_name_prefix="frontwire-core")
        self._tasks: list[asyncio.Task[None]] = []
        self.on_alert: Callable[[Alert], None] = (
            built.live.published if built.live is not None else lambda alert: None
        )

    def index(self, stage: str) -> int:
        return next(i for i, spec in enumerate(self.specs) if spec.name == stage)

    async def send(self, stage: str, record: Any, *, until: str | None = None) -> list[Any]:
        """Hand ``record`` to ``stage``; return what the last stage run (``until``, or the end
        of the pipeline) produced from it."""
        MESSAGES_IN.labels("embedded").inc()
        stop = self.index(until) + 1 if until is not None else len(self.specs)
        return await self._guarded(self.index(stage), stop, record)

    async def _guarded(self, start: int, stop: int, record: Any) -> list[Any]:
        """One record through the stages from ``start``: a unit of failure. An unexpected
        error is logged and the record dropped (as a dead letter would be) without stopping
        the others. A record handled to the end, or dropped so, is settled with the stage it
        entered (the dedup stage then makes its id durable); one interrupted by a stop is not,
        so it is let through again when it comes again. The assembly's `ErrorPolicy` may
        instead retry the failing stage (`_attempt`) or stop."""
        try:
            out = await self._run(start, stop, record)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one bad record must not stop the others
            # Retries were the stage's (`_attempt`); what is left is dead-letter or stop.
            if self.built.policy.decide(exc, self.built.policy.max_attempts).action is Action.STOP:
                raise
            log.exception("record_failed", stage=self.specs[start].name,
                          record=type(record).__name__, id=getattr(record, "id", None))
            out = []
        if start < len(self.specs):
            settle = getattr(self.built.handlers[self.specs[start].name], "settle", None)
            if settle is not None:
                settle(record)
        return out

    async def _run(self, start: int, stop: int, record: Any) -> list[Any]:
        if start >= stop:
            if start == len(self.specs) and isinstance(record, Alert):
                self.on_alert(record)  # the end of the pipeline: the `alerts` port
            return [record]
        spec = self.specs[start]
        if spec.io:
            out: list[Any] = []

            async def emit(produced: Any) -> None:
                out.extend(await self._guarded(start + 1, stop, produced))

            handler = self.built.handlers[spec.name]
            attempt = 0
            while True:  # a retried I/O stage is idempotent: its logs skip what was done
                attempt += 1
                try:
                    await handler(record, emit)
                    return out
                except Exception as exc:
                    decision = self.built.policy.decide(exc, attempt)
                    if decision.action is not Action.RETRY:
                        raise
                    await asyncio.sleep(decision.delay_s)
        end = start
        while end < stop and not self.specs[end].io:
            end += 1
        return await self._pure(self.specs[start:end], record, end, stop)

    async def _pure(
        self, chain: Sequence[StageSpec], record: Any, end: int, stop: int
    ) -> list[Any]:
        """Run consecutive pure stages on the core thread, then the rest of the pipeline. The
        pure stages record what they did (seen, group sent) before returning, so a stop that
        cancels the wait still hands their outputs on — and waits for deliveries already
        under way rather than cutting them off (an alert whose answer was never recorded
        would be sent again at the next start)."""
        work = self._core_thread.submit(self._chain, chain, record)
        done = asyncio.wrap_future(work)
        try:
            produced = await asyncio.shield(done)
        except asyncio.CancelledError:
            await self._rest(await done, end, stop)
            raise
        rest = asyncio.ensure_future(self._rest(produced, end, stop))
        try:
            return await asyncio.shield(rest)
        except asyncio.CancelledError:
            await rest
            raise

    async def _rest(self, records: list[Any], start: int, stop: int) -> list[Any]:
        out: list[Any] = []
        for item in records:
            out.extend(await self._run(start, stop, item))
        return out

    def _chain(self, chain: Sequence[StageSpec], record: Any) -> list[Any]:
        records = [record]
        for spec in chain:
            handler = self.built.handlers[spec.name]
            records = [out for r in records for out in self._attempt(handler, r)]
        return records

    def _attempt(self, handler: Any, record: Any) -> Sequence[Any]:
        """One pure stage on one record, retried as the error policy says (on the core
        thread, so a back-off sleeps there); an error it does not retry is raised."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return handler(record, self.built.clock())
            except Exception as exc:
                decision = self.built.policy.decide(exc, attempt)
                if decision.action is not Action.RETRY:
                    raise
                time.sleep(decision.delay_s)

    # -- time ------------------------------------------------------------------------------

    async def tick(self, stage: str, now: float | None = None) -> list[Any]:
        """Hand ``stage`` a Tick (for "decide": release the due groups and deliver them)."""
        at = self.built.clock() if now is None else now
        return await self._guarded(self.index(stage), len(self.specs), Tick(at))

    async def start(self, *, prune_every_s: float = 3600.0, rules_poll_s: float = 5.0) -> None:
        """Apply retention and resume the deliveries a previous run left pending; then, in the
        background: ticks for the stages that declare a period (but fetch, which the caller
        drives), rules watched (and SIGHUP), retention applied every ``prune_every_s``."""
        self.built.prune_state()
        if self.built.dispatcher is not None:
            await self.built.dispatcher.resume()
        for spec in self.specs:
            if spec.tick_s is not None and spec.name != "fetch":
                self._every(spec.tick_s, functools.partial(self.tick, spec.name))
        self._every(prune_every_s, self._prune)
        if self.built.holder is not None:
            self.built.reload_rules_on_sighup()
            self._every(rules_poll_s, self._reload)

    async def _prune(self) -> None:
        # Indexed range deletes, once an hour: short enough to run on the loop itself.
        self.built.prune_state()

    async def _reload(self) -> None:
        self.built.reload_rules_if_changed()

    def prune_state(self, now: float | None = None) -> dict[str, int]:
        return self.built.prune_state(now)

    def _every(self, period_s: float, job: Callable[[], Awaitable[object]]) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(period_s)
                try:
                    await job()
                except Exception:  # the loop must outlive one bad round
                    log.exception("background_job_failed")

        self._tasks.append(asyncio.create_task(loop()))

    async def aclose(self, drain_s: float = 2.0) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        dispatcher = self.built.dispatcher
        if dispatcher is not None:
            # A little time for queued deliveries; what is left stays pending for the next start.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(dispatcher.drain(), drain_s)
        await self.built.aclose()
        self._core_thread.shutdown(wait=True)
        self.built.reload_rules_on_sighup(False)
