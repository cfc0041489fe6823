"""Dispatcher: exactly once per (delivery_key, sink), dead letters, isolation between sinks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.sinks import (
    Dispatcher,
    PermanentDeliveryError,
    RetryPolicy,
    Sink,
    TransientDeliveryError,
    WebhookSink,
)
from shared.codec import encode
from shared.records import Alert
from tests.unit.alerting.builders import alert
from tests.unit.alerting.loopback import Receiver, serve

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(max_attempts=3, max_elapsed_s=10, base_delay_s=0.001, max_delay_s=0.01)


class ListSink:
    def __init__(self, name: str) -> None:
        self.name = name
        self.got: list[Alert] = []

    async def deliver(self, alert: Alert) -> None:
        self.got.append(alert)


class FailingSink:
    def __init__(self, name: str, error: Exception) -> None:
        self.name, self.error = name, error

    async def deliver(self, alert: Alert) -> None:
        raise self.error


class DeadLetters:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, Exception]] = []

    async def __call__(self, alert: Alert, sink: str, error: Exception) -> None:
        self.items.append((alert.delivery_key, sink, error))


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_webhook_never_receives_a_logged_delivery_key_twice() -> None:
    receiver = Receiver(secret="k")
    log = MemoryDeliveryLog()
    log.record(alert(version=1).delivery_key, "ops")  # delivered before a crash
    async with serve(receiver) as url:
        dispatcher = Dispatcher({"ops": WebhookSink(url, "k", name="ops", policy=FAST)}, log)
        assert await dispatcher.dispatch(alert(version=1), ["ops"]) == {"ops": "skipped"}
        assert await dispatcher.dispatch(alert(version=2), ["ops"]) == {"ops": "delivered"}
        assert await dispatcher.dispatch(alert(version=2), ["ops"]) == {"ops": "skipped"}
        await dispatcher.aclose()
    assert receiver.calls == 1
    assert [a["id"] for a in receiver.accepted] == ["0123456789abcdef:2"]


async def test_log_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.sqlite"
    console = ListSink("console")
    first = Dispatcher({"console": console}, SqliteDeliveryLog(path))
    await first.dispatch(alert(), ["console"])
    second = Dispatcher({"console": console}, SqliteDeliveryLog(path))
    assert await second.dispatch(alert(), ["console"]) == {"console": "skipped"}
    assert len(console.got) == 1


async def test_permanent_400_is_dead_lettered_and_not_logged() -> None:
    receiver = Receiver(fail_first=99, fail_status=400)
    log, dead = MemoryDeliveryLog(), DeadLetters()
    console = ListSink("console")
    async with serve(receiver) as url:
        sinks: dict[str, Sink] = {"ops": WebhookSink(url, name="ops", policy=FAST)}
        sinks["console"] = console
        dispatcher = Dispatcher(sinks, log, on_dead_letter=dead)
        before = sample("frontwire_deliveries_total", {"sink": "ops", "outcome": "rejected"})
        outcome = await dispatcher.dispatch(alert(), ["ops", "console"])
        await dispatcher.aclose()
    assert outcome == {"ops": "dead_letter", "console": "delivered"}
    ((key, sink, error),) = dead.items
    assert (key, sink) == ("0123456789abcdef:1", "ops")
    assert isinstance(error, PermanentDeliveryError)
    assert not log.seen(key, "ops") and log.seen(key, "console")
    after = sample("frontwire_deliveries_total", {"sink": "ops", "outcome": "rejected"})
    assert after == before + 1


async def test_failures_and_crashes_do_not_stop_other_sinks() -> None:
    dead = DeadLetters()
    good = ListSink("good")
    sinks: dict[str, Sink] = {
        "flaky": FailingSink("flaky", TransientDeliveryError("down")),
        "buggy": FailingSink("buggy", RuntimeError("boom")),
        "good": good,
    }
    dispatcher = Dispatcher(sinks, MemoryDeliveryLog(), on_dead_letter=dead)
    outcome = await dispatcher.dispatch(alert())  # default routes: every sink
    # A transient failure is retried in the background (queued), never dead-lettered.
    assert outcome == {"flaky": "queued", "buggy": "dead_letter", "good": "delivered"}
    assert len(good.got) == 1
    kinds = {sink: type(err) for _, sink, err in dead.items}
    assert kinds == {"buggy": PermanentDeliveryError}
    assert dispatcher.backlog("flaky") == 1
    await dispatcher.aclose()


async def test_a_slow_sink_does_not_hold_up_the_others() -> None:
    fast_done = asyncio.Event()

    class Slow:
        name = "slow"

        async def deliver(self, alert: Alert) -> None:
            await fast_done.wait()  # only finishes if "fast" ran concurrently

    class Fast(ListSink):
        async def deliver(self, alert: Alert) -> None:
            await super().deliver(alert)
            fast_done.set()

    dispatcher = Dispatcher({"slow": Slow(), "fast": Fast("fast")}, MemoryDeliveryLog())
    outcome = await asyncio.wait_for(dispatcher.dispatch(alert(), ["slow", "fast"]), 10)
    assert outcome == {"slow": "delivered", "fast": "delivered"}


async def test_sink_timeout_queues_a_hung_sink_for_retry() -> None:
    class Hung:
        name = "hung"

        async def deliver(self, alert: Alert) -> None:
            await asyncio.Event().wait()

    dead = DeadLetters()
    dispatcher = Dispatcher(
        {"hung": Hung()}, MemoryDeliveryLog(), on_dead_letter=dead, sink_timeout_s=0.05
    )
    assert await dispatcher.dispatch(alert()) == {"hung": "queued"}
    assert dead.items == [] and dispatcher.backlog("hung") == 1
    await dispatcher.aclose()


async def test_unknown_route_and_default_routes() -> None:
    console = ListSink("console")
    dispatcher = Dispatcher({"console": console}, MemoryDeliveryLog(), ["console"])
    assert await dispatcher.dispatch(alert(), ["console", "webhook"]) == {
        "console": "delivered",
        "webhook": "no_sink",
    }
    assert await dispatcher.dispatch(alert(version=2)) == {"console": "delivered"}


async def test_concurrent_dispatch_of_one_key_sends_once() -> None:
    console = ListSink("console")
    dispatcher = Dispatcher({"console": console}, MemoryDeliveryLog())
    results = await asyncio.gather(*(dispatcher.dispatch(alert()) for _ in range(3)))
    assert sorted(r["console"] for r in results) == ["delivered", "skipped", "skipped"]
    assert len(console.got) == 1


async def test_metrics_observed() -> None:
    labels = {"sink": "metrics-probe"}
    e2e_before = sample("frontwire_end_to_end_latency_seconds_count", labels)
    took_before = sample("frontwire_delivery_seconds_count", labels)
    dispatcher = Dispatcher(
        {"metrics-probe": ListSink("metrics-probe")}, MemoryDeliveryLog(), clock=lambda: 1010.0
    )
    await dispatcher.dispatch(alert())
    assert sample("frontwire_end_to_end_latency_seconds_count", labels) == e2e_before + 1
    assert sample("frontwire_end_to_end_latency_seconds_sum", labels) >= 10.0
    assert sample("frontwire_delivery_seconds_count", labels) == took_before + 1


async def test_sync_dead_letter_callback_and_callback_errors() -> None:
    seen: list[str] = []

    def sync_callback(alert: Alert, sink: str, error: Exception) -> None:
        seen.append(sink)
        raise RuntimeError("dead-letter topic down")  # must not escape dispatch

    sinks = {"bad": FailingSink("bad", PermanentDeliveryError("no"))}
    dispatcher = Dispatcher(sinks, MemoryDeliveryLog(), on_dead_letter=sync_callback)
    assert await dispatcher.dispatch(alert()) == {"bad": "dead_letter"}
    assert seen == ["bad"]


@pytest.mark.parametrize("store", ["memory", "sqlite"])
async def test_a_delivery_an_earlier_run_queued_is_left_to_resume_not_sent_again(
    store: str, tmp_path: Path
) -> None:
    """A replayed record of a delivery still pending: its outcome may be on its way (over
    Kafka, a report behind the record), so the dispatcher does not send a second copy now;
    resume() sends it, once, if it is still pending then."""
    log = MemoryDeliveryLog() if store == "memory" else SqliteDeliveryLog(tmp_path / "d.sqlite")
    queued = alert(version=1)
    log.add_pending(queued.delivery_key, "ops", encode(queued))
    sink = ListSink("ops")
    dispatcher = Dispatcher({"ops": sink}, log)
    assert await dispatcher.dispatch(queued) == {"ops": "queued"}
    assert sink.got == []
    assert await dispatcher.resume() == 1
    await asyncio.wait_for(dispatcher.drain(), 5)
    assert [a.delivery_key for a in sink.got] == [queued.delivery_key]
    assert log.seen(queued.delivery_key, "ops") and not log.is_pending(queued.delivery_key, "ops")
    await dispatcher.aclose()
