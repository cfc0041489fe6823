"""The consumer loop every stage shares: decode, handle, emit; poison goes to the dead letters.

A message whose decoding or handling raises is written to the dead-letter topic with its error
and the partition moves on. That is the default `ErrorPolicy` (shared/policy.py); a loop given
another policy may instead retry the handler (bounded attempts, back-off) or stop the worker
(the record is then not committed, and the next run handles it again).

Sending the outputs is outside that guard: a Kafka failure there ends the agent (faust's
supervisor restarts it) with the record not handled, so it is read back and handled again
(at-least-once; tests/integration/stage/test_offsets.py).

Offsets are the loop's, not faust's: the source topic is consumed with faust's acks off and
an OffsetKeeper commits only what the handler has passed, reading back any record the
consumer skipped (shared/kafka/ledger.py says why).

A loop attached with a batch handler (`attach_batched`) hands it the records that arrived
while it was busy, up to a maximum, in one call: the enricher parses them in one `nlp.pipe`
batch, which costs about a third less CPU per article, and a backlog drains in a few calls
instead of a thread hand-off per record. Each record is still a unit of failure: when the
batch call raises, its records are handled again one at a time through the single handler,
so only the poison one goes to the dead letters.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust

from shared.kafka.deadletter import dead_letter, encode_dead_letter
from shared.kafka.offsets import OffsetKeeper
from shared.observability import DEAD_LETTERS, MESSAGES_IN, MESSAGES_OUT, STAGE_SECONDS, get_logger
from shared.policy import DEFAULT_POLICY, Action, ErrorPolicy

log = get_logger(__name__)


@dataclass(frozen=True)
class Emit:
    topic: Any  # faust TopicT
    key: bytes
    value: bytes


Handler = Callable[[bytes | None, bytes], Awaitable[Sequence[Emit]]]
# Records in, each record's outputs out (same length, same order).
BatchHandler = Callable[[Sequence[Any]], Awaitable[Sequence[Sequence[Emit]]]]


@dataclass
class StageLoop:
    app: faust.App
    stage: str
    source: Any  # faust TopicT
    deadletter: Any  # faust TopicT
    policy: ErrorPolicy = DEFAULT_POLICY  # what a handler error means; default: dead-letter
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # between retries
    keeper: OffsetKeeper = field(init=False)

    def __post_init__(self) -> None:
        self.keeper = OffsetKeeper.of(self.app)

    def attach(self, handle: Handler, *, name: str | None = None) -> None:
        """Register an agent on ``source`` that runs ``handle`` on every message."""

        async def agent(stream: Any) -> None:
            async for event in stream.events():
                for record in await self.keeper.admit(self.stage, event.message):
                    with self.keeper.handling(record):
                        await self._one(handle, record)

        self._register(agent, name or f"{self.stage}_agent")

    def attach_batched(self, handle: Handler, handle_many: BatchHandler, *, most: int,
                       within_s: float, name: str) -> None:
        """Like `attach`, but the records that arrived within ``within_s`` of the last call
        (and while it ran), at most ``most``, go to ``handle_many`` together; ``handle`` is
        the same work for one record, used when a batch fails."""

        async def agent(stream: Any) -> None:
            # take_events acks what it yields, but acks are off on this topic: a no-op.
            async for events in stream.take_events(most, within_s):
                records = await self.keeper.admit_all(self.stage, [e.message for e in events])
                if records:
                    await self._batch(handle, handle_many, records)

        self._register(agent, name)

    def _register(self, agent: Callable[[Any], Awaitable[None]], name: str) -> None:
        source = self.app.topic(*self.source.topics, acks=False)  # offsets: see the keeper
        self.keeper.watch(*source.topics)
        agent.__name__ = agent.__qualname__ = name
        self.app.agent(source, name=f"frontwire.{name}")(agent)

    async def _batch(self, handle: Handler, handle_many: BatchHandler,
                     records: list[Any]) -> None:
        MESSAGES_IN.labels(self.stage).inc(len(records))
        started = time.perf_counter()
        try:
            with self.keeper.busy():
                outputs = await handle_many(records)
        except Exception as exc:  # one record may be poison: each on its own, as unbatched
            log.info("batch_failed", stage=self.stage, records=len(records),
                     error=repr(exc)[:300])
            for record in records:  # already counted in, and timed as the batch's share
                with self.keeper.handling(record):
                    emits = await self._handled(handle, record)
                    if emits is not None:
                        await self._send(emits)
            return
        finally:
            share = (time.perf_counter() - started) / len(records)
            for _ in records:  # per record, like unbatched: the handler's cost shared out
                STAGE_SECONDS.labels(self.stage).observe(share)
        for record, emits in zip(records, outputs, strict=True):
            with self.keeper.handling(record):
                await self._send(emits)

    async def _one(self, handle: Handler, message: Any) -> None:
        MESSAGES_IN.labels(self.stage).inc()
        started = time.perf_counter()
        try:
            emits = await self._handled(handle, message)
        finally:
            STAGE_SECONDS.labels(self.stage).observe(time.perf_counter() - started)
        if emits is not None:
            await self._send(emits)

    async def _send(self, emits: Sequence[Emit]) -> None:
        for emit in emits:
            self.keeper.sent(await emit.topic.send(key=emit.key, value=emit.value))
            MESSAGES_OUT.labels(self.stage).inc()

    async def _handled(self, handle: Handler, message: Any) -> Sequence[Emit] | None:
        """The handler's outputs, or None once the record is dead-lettered; the policy says
        what each error means. A stop crashes the app and raises (the record stays unhandled,
        so uncommitted)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await handle(message.key, message.value)
            except Exception as exc:  # any poison: the policy decides, default dead-letter
                decision = self.policy.decide(exc, attempt)
                if decision.action is Action.RETRY:
                    log.info("handler_retry", stage=self.stage, attempt=attempt,
                             delay_s=decision.delay_s, error=repr(exc)[:300])
                    await self.sleep(decision.delay_s)
                    continue
                if decision.action is Action.STOP:
                    log.error("handler_stop", stage=self.stage, topic=message.topic,
                              partition=message.partition, offset=message.offset,
                              error=repr(exc)[:300])
                    await self.app.crash(exc)
                    raise
                await self._dead_letter(message, exc)
                return None

    async def _dead_letter(self, message: Any, exc: Exception) -> None:
        record = dead_letter(self.stage, message, exc)
        DEAD_LETTERS.labels(self.stage).inc()
        log.warning(
            "dead_letter",
            stage=self.stage,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=record.error,
        )
        key = message.key if isinstance(message.key, bytes) else None
        self.keeper.sent(await self.deadletter.send(key=key, value=encode_dead_letter(record)))
