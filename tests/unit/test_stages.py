"""The declared pipeline and its handlers, built through the composition root with fakes (the
way cosmicpython tests handlers): no broker, no HTTP, memory stores, a recording sink."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.alerting.delivery import MemoryDeliveryLog
from services.alerting.sinks import Dispatcher, TransientDeliveryError
from services.alerting.sinks.outbox import Backoff
from services.bootstrap import bootstrap
from services.flow import PIPELINE, SERVICES, after, partition_key, stage, stages_of
from services.io_stages import Deliver, apply_report
from services.runtimes.inprocess import InProcessPipeline, InProcessRuntime
from services.stages import MemorySeenIds, candidate_to_wire
from shared.codec import CodecError, decode, decode_any, encode
from shared.records import (
    Alert,
    AlertCandidate,
    DeliveryReport,
    Entity,
    RawArticle,
    RoutedAlert,
    Tick,
)
from shared.settings import load_settings
from tests.unit.alerting.builders import alert, enriched, troops

RULES = """\
version: 1
rules:
  - name: held
    severity: warning
    group_wait: 60s
    match: {event_types: [troop_deployment]}
    routes: [fake]
"""


class RecordingSink:
    name = "fake"

    def __init__(self) -> None:
        self.got: list[Alert] = []

    async def deliver(self, alert: Alert) -> None:
        self.got.append(alert)


def built(tmp_path: Path, sink: RecordingSink, rules: str = RULES) -> Any:
    path = tmp_path / "rules.yaml"
    path.write_text(rules)
    settings = load_settings(rules_files=[path], state_dir=tmp_path, console_sink=False,
                             feeds_file=tmp_path / "none.yaml")
    return bootstrap(settings, InProcessRuntime(persistent=False), services=("alerting",),
                     sinks={"fake": sink}, clock=lambda: 1000.0, watch_rules=False)


def test_the_stages_form_one_chain_from_fetch_to_the_alerts_port() -> None:
    names = [s.name for s in PIPELINE]
    assert names == ["fetch", "dedup", "clean", "enrich", "match", "decide", "deliver"]
    for spec in PIPELINE[:-1]:
        nxt = after(spec)
        assert nxt is not None and nxt.name == names[names.index(spec.name) + 1]
    assert after(stage("deliver")) is None and stage("deliver").produces == "alerts"
    assert SERVICES == ("fetcher", "cleaner", "enricher", "alerting")
    assert [s.name for s in stages_of("alerting")] == ["match", "decide", "deliver"]
    with pytest.raises(KeyError, match="the stages are"):
        stage("nope")


def test_records_travel_under_the_key_of_the_state_they_need() -> None:
    a = alert()
    assert partition_key(RoutedAlert(a, ("fake",))) == a.group_key
    assert partition_key(DeliveryReport(a.delivery_key, "fake", "delivered", "g")) == "g"
    assert partition_key(Tick(1.0, "g")) == "g"
    with pytest.raises(TypeError):
        partition_key(Tick(1.0))  # an unkeyed tick never travels


def test_a_stage_input_decodes_to_whichever_record_it_carries() -> None:
    kinds = stage("decide").accepts
    assert decode_any(encode(Tick(5.0, "k")), kinds) == Tick(5.0, "k")
    with pytest.raises(CodecError, match="expected one of"):
        decode_any(encode(alert()), kinds)


def test_dedup_hands_an_article_id_on_once() -> None:
    from services.stages import Dedup

    dedup = Dedup(MemorySeenIds())
    raw = RawArticle(id="a", url="u", source="s", content_type="text/plain", body="x")
    assert dedup(raw, 1.0) == [raw] and dedup(raw, 2.0) == []
    assert dedup(RawArticle(id="", url="", source="s", content_type="text/plain", body=""),
                 3.0) == []


def test_decide_holds_a_group_until_a_tick_releases_it(tmp_path: Path) -> None:
    sink = RecordingSink()
    wired = built(tmp_path, sink)
    [candidate] = wired.handlers["match"](enriched(), 1000.0)
    assert isinstance(candidate, AlertCandidate)
    decide = wired.handlers["decide"]
    assert decide(candidate, 1000.0) == []  # group_wait: held
    assert decide(Tick(1030.0), 1030.0) == []  # not due yet
    assert decide.due(1061.0) == [candidate.group_key]
    [routed] = decide(Tick(1061.0, candidate.group_key), 1061.0)
    assert routed.alert.version == 1 and routed.routes == ("fake",)
    assert decide(Tick(1062.0), 1062.0) == []  # released once


def test_a_candidate_carries_its_event_and_the_articles_metadata_not_its_text(
        tmp_path: Path) -> None:
    wired = built(tmp_path, RecordingSink(), RULES.replace("    group_wait: 60s\n", ""))
    other = replace(troops(), type="mobilisation", signature="other")
    full = replace(enriched(other, troops()), entities=(Entity("NATO", "organisation"),))
    [candidate] = wired.handlers["match"](full, 1000.0)
    wire = decode(encode(candidate), AlertCandidate)
    assert wire.enriched.events == (troops(),) and wire.event_index == 0
    assert wire.enriched.article.text == "" and wire.enriched.entities == ()
    assert wire.enriched.article == replace(full.article, text="")  # id, url, publisher...
    assert (wire.enriched.story_id, wire.enriched.stamps) == (full.story_id, full.stamps)
    [routed] = wired.handlers["decide"](wire, 1000.0)
    assert routed.alert.event == troops() and routed.alert.sources[0].url == full.article.url


def test_the_in_process_runtime_runs_the_chain_and_delivers_once(tmp_path: Path) -> None:
    sink = RecordingSink()
    rules = RULES.replace("    group_wait: 60s\n", "")
    pipeline = InProcessPipeline(built(tmp_path, sink, rules))

    async def go() -> list[Any]:
        wire = candidate_to_wire(pipeline.built.handlers["match"].rules().match(enriched())[0])
        first = await pipeline.send("decide", wire)
        again = await pipeline.send("decide", wire)  # the same report: a replay, skipped
        await pipeline.aclose()
        return [first, again]

    first, again = asyncio.run(go())
    assert [a.version for a in sink.got] == [1]
    assert first == sink.got and again == []


def test_a_silenced_alert_is_not_delivered(tmp_path: Path) -> None:
    from services.alerting.silences import Matchers, Silence

    sink = RecordingSink()
    wired = built(tmp_path, sink)
    wired.live.silences.add(Silence("s", Matchers(rule="large-troop-deployment"), 0.0, 2e9, "t"))
    emitted: list[Any] = []

    async def emit(record: Any) -> None:
        emitted.append(record)

    asyncio.run(wired.handlers["deliver"](RoutedAlert(alert(), ("fake",)), emit))
    assert sink.got == [] and emitted == []


def test_a_background_delivery_is_settled_through_the_deliver_stage() -> None:
    """Kafka mode: the outbox does not write the log itself; the report, handled by the
    deliver stage, does (its state can only be written from its stream)."""
    log = MemoryDeliveryLog()
    reports: list[tuple[str, str, str]] = []

    class FlakyOnce:
        name = "fake"
        calls = 0

        async def deliver(self, alert: Alert) -> None:
            FlakyOnce.calls += 1
            if FlakyOnce.calls == 1:
                raise TransientDeliveryError("down")

    async def go() -> None:
        dispatcher = Dispatcher({"fake": FlakyOnce()}, log, backoff=Backoff(0.001, 0.01),
                                settle_later=lambda a, s, o: reports.append((a.delivery_key, s, o)))
        assert await dispatcher.dispatch(alert()) == {"fake": "queued"}
        await asyncio.wait_for(dispatcher.drain(), 5)
        await dispatcher.aclose()

    asyncio.run(go())
    assert reports == [(alert().delivery_key, "fake", "delivered")]
    assert not log.seen(alert().delivery_key, "fake")  # not written outside the stage
    from services.io_stages import Deliver, apply_report

    deliver = Deliver(Dispatcher({}, log), lambda a: False, reports=apply_report(log))

    async def nothing(record: Any) -> None:
        raise AssertionError("a report produces nothing")

    key, sink, outcome = reports[0]
    asyncio.run(deliver(DeliveryReport(key, sink, outcome, "g"), nothing))
    assert log.seen(alert().delivery_key, "fake")


def test_an_article_interrupted_before_the_end_is_let_through_again(tmp_path: Path) -> None:
    """Embedded mode has no offsets: the dedup stage's claim becomes durable only once the
    article went through the whole pipeline (or failed for good), so an article a crash or a
    stop interrupted is processed when it is fetched again."""
    from services.fetcher.local_state import SqliteFetchState
    from services.stages import Dedup, SeenKeys

    raw = RawArticle(id="a", url="u", source="s", content_type="text/plain", body="x")
    state = SqliteFetchState(tmp_path / "fetcher.sqlite")
    dedup = Dedup(SeenKeys(state))
    assert dedup(raw, 1.0) == [raw]
    assert dedup(raw, 1.5) == []  # claimed: a second copy in flight is a duplicate
    after_a_crash = Dedup(SeenKeys(SqliteFetchState(tmp_path / "fetcher.sqlite")))
    assert after_a_crash(raw, 2.0) == [raw]  # never settled: let through again
    after_a_crash.settle(raw)
    again = Dedup(SeenKeys(SqliteFetchState(tmp_path / "fetcher.sqlite")))
    assert again(raw, 3.0) == []


def test_the_in_process_runtime_settles_what_it_handled_and_drops_what_failed(
    tmp_path: Path,
) -> None:
    from services.stages import Dedup

    class Settling(MemorySeenIds):
        def __init__(self) -> None:
            super().__init__()
            self.settled: list[str] = []

        def settle(self, article_id: str) -> None:
            self.settled.append(article_id)

    seen = Settling()
    pipeline = InProcessPipeline(built(tmp_path, RecordingSink()))
    pipeline.built.handlers["dedup"] = Dedup(seen)

    def boom(record: Any, now: float) -> list[Any]:
        raise RuntimeError("a bug in a later stage")

    pipeline.built.handlers["clean"] = boom
    pipeline.specs = [s for s in PIPELINE if s.name in ("dedup", "clean")]
    raw = RawArticle(id="a", url="u", source="s", content_type="text/plain", body="x")

    async def go() -> list[Any]:
        out = await pipeline.send("dedup", raw)
        await pipeline.aclose()
        return out

    assert asyncio.run(go()) == []  # logged and dropped, not raised
    assert seen.settled == ["a"]  # failed for good: not retried forever


def test_the_error_policy_of_the_composition_root_applies_in_process(tmp_path: Path) -> None:
    from shared.policy import ErrorPolicy

    class Flaky(Exception):
        pass

    calls: list[int] = []

    def flaky_twice(record: Any, now: float) -> list[Any]:
        calls.append(1)
        if len(calls) < 3:
            raise Flaky("not yet")
        return []

    async def go(policy: ErrorPolicy) -> list[Any]:
        wired = built(tmp_path, RecordingSink())
        wired.policy = policy
        wired.handlers["match"] = flaky_twice
        pipeline = InProcessPipeline(wired)
        try:
            return await pipeline.send("match", enriched())
        finally:
            await pipeline.aclose()

    retry = ErrorPolicy(retry=(Flaky,), max_attempts=3, backoff_s=0.0)
    assert asyncio.run(go(retry)) == [] and len(calls) == 3  # retried, then handled
    calls.clear()
    with pytest.raises(Flaky):
        asyncio.run(go(ErrorPolicy(stop=(Flaky,))))  # a stop reaches the runtime's caller
    assert len(calls) == 1


def test_a_retry_repeats_the_failing_stage_not_the_dedup_before_it(tmp_path: Path) -> None:
    from services.stages import Dedup
    from shared.policy import ErrorPolicy

    calls: list[str] = []

    def flaky_clean(record: Any, now: float) -> list[Any]:
        calls.append(record.id)
        if len(calls) < 2:
            raise ConnectionError("a flaky port")
        return ["cleaned"]

    wired = built(tmp_path, RecordingSink())
    wired.policy = ErrorPolicy(retry=(ConnectionError,), backoff_s=0.0)
    wired.handlers.update(dedup=Dedup(MemorySeenIds()), clean=flaky_clean)
    pipeline = InProcessPipeline(wired)
    raw = RawArticle(id="a", url="u", source="s", content_type="text/plain", body="x")

    async def go() -> list[Any]:
        try:
            return await pipeline.send("dedup", raw, until="clean")
        finally:
            await pipeline.aclose()

    assert asyncio.run(go()) == ["cleaned"] and calls == ["a", "a"]


def test_the_deliver_stage_resumes_pending_deliveries_only_once_its_log_is_up_to_date() -> None:
    """Until the runtime says the log has caught up (over Kafka: the input read up to where it
    ended at start, reports of answered deliveries included), a tick resumes nothing."""
    from services.io_stages import Deliver, apply_report

    log = MemoryDeliveryLog()
    pending = alert()
    log.add_pending(pending.delivery_key, "fake", encode(pending))
    got: list[str] = []

    class Fake:
        name = "fake"

        async def deliver(self, alert: Alert) -> None:
            got.append(alert.delivery_key)

    caught_up = False

    async def go() -> None:
        dispatcher = Dispatcher({"fake": Fake()}, log)
        deliver = Deliver(dispatcher, lambda a: False, reports=apply_report(log),
                          ready=lambda: caught_up)

        async def nothing(record: Any) -> None:
            raise AssertionError("a tick produces nothing")

        await deliver(Tick(1.0), nothing)
        await asyncio.wait_for(dispatcher.drain(), 5)
        assert got == []  # the report of its answer may still be ahead in the input
        nonlocal caught_up
        caught_up = True
        await deliver(Tick(2.0), nothing)
        await asyncio.wait_for(dispatcher.drain(), 5)
        await dispatcher.aclose()

    asyncio.run(go())
    assert got == [pending.delivery_key]


def test_a_delivery_finished_in_the_background_is_not_resumed_before_its_report_lands() -> None:
    """Kafka mode: between the outbox's answer and the deliver stage applying its report, the
    log still lists the delivery as pending; a tick in that window must not send it again
    (under a sink back from an outage, that repeated deliveries and put them out of order)."""
    log = MemoryDeliveryLog()
    reports: list[DeliveryReport] = []
    got: list[str] = []

    class FlakyOnce:
        name = "fake"

        async def deliver(self, alert: Alert) -> None:
            got.append(alert.delivery_key)
            if len(got) == 1:
                raise TransientDeliveryError("down")

    published: list[Any] = []

    async def nothing(record: Any) -> None:
        raise AssertionError("ticks and reports produce nothing")

    async def publish(record: Any) -> None:
        published.append(record)

    async def go() -> None:
        dispatcher = Dispatcher(
            {"fake": FlakyOnce()}, log, backoff=Backoff(0.001, 0.01),
            settle_later=lambda a, s, o: reports.append(
                DeliveryReport(a.delivery_key, s, o, a.group_key)))
        deliver = Deliver(dispatcher, lambda a: False, reports=apply_report(log))
        await deliver(RoutedAlert(alert(), ("fake",)), publish)  # queued: published
        await asyncio.wait_for(dispatcher.drain(), 5)
        assert len(reports) == 1 and log.pending()  # answered; its report not applied yet
        await deliver(Tick(1.0), nothing)  # the window: nothing is sent again
        await asyncio.wait_for(dispatcher.drain(), 5)
        await deliver(reports[0], nothing)
        await deliver(Tick(2.0), nothing)
        await asyncio.wait_for(dispatcher.drain(), 5)
        await dispatcher.aclose()

    asyncio.run(go())
    assert got == [alert().delivery_key] * 2  # the failed attempt, then the delivery: once
    assert log.seen(alert().delivery_key, "fake") and log.pending() == []
