"""Delivery against real loopback webhook receivers: outages, 429, 4xx, rate limits, restart.
Waits are bounded (asyncio.wait_for); nothing asserts on elapsed time."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.model import RouteLimit
from services.alerting.sinks import Backoff, Dispatcher, RetryPolicy, WebhookSink
from tests.unit.alerting.builders import alert
from tests.unit.alerting.loopback import Receiver, serve

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(max_attempts=2, max_elapsed_s=10, base_delay_s=0.001, max_delay_s=0.01)
QUICK = Backoff(base_s=0.01, max_s=0.05)
BOUND = 20.0  # seconds: a generous upper bound, not an expectation


def alerts(n: int):  # type: ignore[no-untyped-def]
    return [alert(version=1, alert_id=f"{i:016x}") for i in range(n)]


async def drain(dispatcher: Dispatcher) -> None:
    import asyncio

    await asyncio.wait_for(dispatcher.drain(), BOUND)


async def test_webhook_down_for_a_while_gets_every_alert_exactly_once() -> None:
    receiver = Receiver(fail_first=12, fail_status=500)
    log = MemoryDeliveryLog()
    async with serve(receiver) as url:
        sink = WebhookSink(url, name="ops", policy=FAST)
        dispatcher = Dispatcher({"ops": sink}, log, backoff=QUICK)
        outcomes = [await dispatcher.dispatch(a) for a in alerts(5)]
        assert outcomes[0] == {"ops": "queued"}  # its own retries spent: background from here
        assert all(o == {"ops": "queued"} for o in outcomes[1:])  # behind the backlog
        await drain(dispatcher)
        await dispatcher.aclose()
    keys = [h["Idempotency-Key"] for h in receiver.headers[receiver.fail_first :]]
    assert sorted(keys) == sorted(a.delivery_key for a in alerts(5))  # each once, none lost
    assert keys == [a.delivery_key for a in alerts(5)]  # and in order
    assert all(log.seen(a.delivery_key, "ops") for a in alerts(5)) and log.pending() == []


async def test_429_retry_after_is_honoured() -> None:
    receiver = Receiver(fail_first=1, fail_status=429, retry_after="2")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with serve(receiver) as url:
        sink = WebhookSink(url, name="ops", policy=FAST, sleep=sleep)
        dispatcher = Dispatcher({"ops": sink}, MemoryDeliveryLog())
        assert await dispatcher.dispatch(alert()) == {"ops": "delivered"}
        await dispatcher.aclose()
    assert waits == [2.0] and len(receiver.accepted) == 1


async def test_permanent_4xx_is_dead_lettered_not_retried() -> None:
    receiver = Receiver(fail_first=1, fail_status=400)
    dead: list[str] = []
    log = MemoryDeliveryLog()
    async with serve(receiver) as url:
        sink = WebhookSink(url, name="ops", policy=FAST)
        dispatcher = Dispatcher(
            {"ops": sink}, log, backoff=QUICK, on_dead_letter=lambda a, s, e: dead.append(s)
        )
        assert await dispatcher.dispatch(alert()) == {"ops": "dead_letter"}
        await dispatcher.aclose()
    assert dead == ["ops"] and receiver.calls == 1
    assert not log.seen(alert().delivery_key, "ops") and log.pending() == []


async def test_rate_limit_delays_but_delivers_all() -> None:
    receiver = Receiver()
    limits = {"ops": RouteLimit(per_minute=1200, burst=2, max_queue=2)}
    async with serve(receiver) as url:
        sink = WebhookSink(url, name="ops", policy=FAST)
        dispatcher = Dispatcher({"ops": sink}, MemoryDeliveryLog(), route_limits=limits)
        outcomes = [(await dispatcher.dispatch(a))["ops"] for a in alerts(6)]
        await drain(dispatcher)
        await dispatcher.aclose()
    assert outcomes[:2] == ["delivered", "delivered"] and "queued" in outcomes
    assert [h["Idempotency-Key"] for h in receiver.headers] == [a.delivery_key for a in alerts(6)]


async def test_pending_deliveries_survive_a_restart(tmp_path: Path) -> None:
    log_path = tmp_path / "deliveries.sqlite"
    down = Receiver(fail_first=10**6)
    async with serve(down) as url:
        dispatcher = Dispatcher(
            {"ops": WebhookSink(url, name="ops", policy=FAST)},
            SqliteDeliveryLog(log_path),
            backoff=Backoff(base_s=60, max_s=60),
        )
        assert (await dispatcher.dispatch(alert()))["ops"] == "queued"
        await dispatcher.aclose()  # stopped with the delivery still pending
    up = Receiver()
    log = SqliteDeliveryLog(log_path)
    async with serve(up) as url:
        dispatcher = Dispatcher({"ops": WebhookSink(url, name="ops", policy=FAST)}, log)
        assert await dispatcher.resume() == 1
        await drain(dispatcher)
        assert await dispatcher.resume() == 0
        await dispatcher.aclose()
    assert [h["Idempotency-Key"] for h in up.headers] == [alert().delivery_key]
    assert log.seen(alert().delivery_key, "ops") and log.pending() == []
