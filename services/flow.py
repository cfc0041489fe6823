"""The pipeline, declared once: the ordered stages, their ports and who runs them.

    stage    input port (topic)     records in                      output port
    fetch    ticks (group leader)   Tick                            fetch.dedup
    dedup    fetch.dedup            RawArticle                      articles.raw
    clean    articles.raw           RawArticle                      articles.clean
    enrich   articles.clean         CleanArticle                    articles.enriched
    match    articles.enriched      EnrichedArticle                 alerts.candidates
    decide   alerts.candidates      AlertCandidate, Tick (keyed)    alerts.routed
    deliver  alerts.routed          RoutedAlert, DeliveryReport     alerts
                                    Tick (pending deliveries)

Each stage reads one port (a topic in Kafka mode, a direct call in process) and writes the
next; the handler behind a stage is built by the composition root (services/bootstrap.py) and
is the same object in both runtimes (services/runtimes/). A stage with a ``tick_s`` is also
handed a `Tick` that often: timers are records handled by the stage's own handler, never a
side path. This module is pure data: no transport, no I/O.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from shared.records import (
    Alert,
    AlertCandidate,
    CleanArticle,
    DeliveryReport,
    EnrichedArticle,
    RawArticle,
    RoutedAlert,
    Tick,
)

Emit = Callable[[Any], Awaitable[None]]


class SyncHandler(Protocol):
    """A pure stage: one record in, the records it produces out (no I/O, explicit time)."""

    def __call__(self, record: Any, now: float) -> Sequence[Any]: ...


@runtime_checkable
class BatchHandler(SyncHandler, Protocol):
    """A pure stage that can also take several records at once (``batch`` > 1): ``many``
    returns each record's outputs, in order, exactly what calling it on each would."""

    def many(self, records: Sequence[Any], now: float) -> list[Sequence[Any]]: ...


class AsyncHandler(Protocol):
    """A stage that does I/O through its ports (fetching, delivering): it hands each record it
    produces to ``emit`` and returns once they are handed on, so a runtime may count the
    input done when the handler returns."""

    async def __call__(self, record: Any, emit: Emit) -> None: ...


@dataclass(frozen=True)
class StageSpec:
    name: str
    service: str  # the worker that runs it in Kafka mode
    consumes: str | None  # TopicMap field of the input port (None: ticks only)
    produces: str | None  # TopicMap field of the output port (None: the end)
    accepts: tuple[type, ...]  # the records its input port carries
    io: bool = False  # an AsyncHandler (fetch, deliver); otherwise a SyncHandler
    blocking: bool = False  # CPU work on untrusted input: runtimes run it off the event loop
    # At most this many records per call, where records queue up (a BatchHandler's ``many``):
    # the enricher parses a batch in one nlp.pipe call, a third less CPU per article.
    batch: int = 1
    tick_s: float | None = None  # hand the stage a Tick this often
    # Who gets the tick where instances share a stage: "instance" (each, for what it holds),
    # "leader" (one of them: the feeds are polled once), "key" (one tick per due key, sent on
    # the stage's own input so it is handled where that key's state lives). One process is all.
    tick_scope: str = "instance"


PIPELINE: tuple[StageSpec, ...] = (
    StageSpec("fetch", "fetcher", None, "dedup", (Tick,), io=True, tick_s=1.0,
              tick_scope="leader"),
    StageSpec("dedup", "fetcher", "dedup", "raw", (RawArticle,)),
    StageSpec("clean", "cleaner", "raw", "clean", (RawArticle,), blocking=True),
    StageSpec("enrich", "enricher", "clean", "enriched", (CleanArticle,), blocking=True,
              batch=32),
    StageSpec("match", "alerting", "enriched", "candidates", (EnrichedArticle,)),
    StageSpec("decide", "alerting", "candidates", "routed", (AlertCandidate, Tick), tick_s=1.0,
              tick_scope="key"),
    StageSpec("deliver", "alerting", "routed", "alerts", (RoutedAlert, DeliveryReport, Tick),
              io=True, tick_s=1.0),
)

SERVICES: tuple[str, ...] = tuple(dict.fromkeys(s.service for s in PIPELINE))


def stage(name: str) -> StageSpec:
    for spec in PIPELINE:
        if spec.name == name:
            return spec
    raise KeyError(f"no stage {name!r}; the stages are {', '.join(s.name for s in PIPELINE)}")


def stages_of(service: str) -> tuple[StageSpec, ...]:
    return tuple(spec for spec in PIPELINE if spec.service == service)


def after(spec: StageSpec) -> StageSpec | None:
    """The stage that reads what ``spec`` writes (None at the end of the pipeline)."""
    return next((s for s in PIPELINE if spec.produces and s.consumes == spec.produces), None)


def partition_key(record: Any) -> str:
    """The key a record travels under: what keeps the state it needs on one partition."""
    if isinstance(record, RawArticle | CleanArticle):
        return record.id  # dedup by id; one article's retries stay in order
    if isinstance(record, EnrichedArticle):
        return record.story_id
    if isinstance(record, AlertCandidate):
        return record.group_key  # every report of one event reaches one group state
    if isinstance(record, RoutedAlert):
        return record.alert.group_key
    if isinstance(record, Alert | DeliveryReport):
        return record.group_key
    if isinstance(record, Tick) and record.key is not None:
        return record.key
    raise TypeError(f"no partition key for {type(record).__name__}")
