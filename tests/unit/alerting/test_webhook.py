"""WebhookSink against real loopback HTTP servers."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from services.alerting.sinks import (
    PermanentDeliveryError,
    RetryPolicy,
    TransientDeliveryError,
    WebhookSink,
)
from tests.support.aio import serve_app
from tests.unit.alerting.builders import alert
from tests.unit.alerting.loopback import Receiver, serve

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(max_attempts=5, max_elapsed_s=10, base_delay_s=0.001, max_delay_s=0.01)


async def test_cloudevent_body_headers_and_valid_signature() -> None:
    receiver = Receiver(secret="s3cret")
    async with serve(receiver) as url:
        sink = WebhookSink(url, secret="s3cret", name="ops", policy=FAST)
        await sink.deliver(alert(version=1))
        await sink.deliver(alert(version=2))
        await sink.aclose()
    assert receiver.bad_signatures == 0 and len(receiver.accepted) == 2
    first, second = receiver.accepted
    assert first["specversion"] == "1.0"
    assert first["id"] == "0123456789abcdef:1" and second["id"] == "0123456789abcdef:2"
    assert first["type"] == "org.frontwire.alert.new"
    assert second["type"] == "org.frontwire.alert.updated"
    assert first["source"] == "frontwire/alerting"
    assert first["data"]["alert_id"] == "0123456789abcdef" and first["data"]["version"] == 1
    headers = receiver.headers[0]
    assert headers["Content-Type"].startswith("application/cloudevents+json")
    assert headers["Idempotency-Key"] == "0123456789abcdef:1"
    assert headers["X-Frontwire-Signature"].startswith("v2=")


async def test_receiver_with_another_secret_rejects_permanently() -> None:
    receiver = Receiver(secret="right")
    async with serve(receiver) as url:
        sink = WebhookSink(url, secret="wrong", policy=FAST)
        with pytest.raises(PermanentDeliveryError, match="HTTP 401"):
            await sink.deliver(alert())
        await sink.aclose()
    assert receiver.bad_signatures == 1 and receiver.calls == 1  # 401 is not retried


async def test_unsigned_when_no_secret() -> None:
    receiver = Receiver()
    async with serve(receiver) as url:
        sink = WebhookSink(url, policy=FAST)
        await sink.deliver(alert())
        await sink.aclose()
    assert "X-Frontwire-Signature" not in receiver.headers[0]


async def test_5xx_is_retried_and_arrives_exactly_once() -> None:
    receiver = Receiver(fail_first=3, fail_status=503)
    async with serve(receiver) as url:
        sink = WebhookSink(url, secret="k", policy=FAST)
        await sink.deliver(alert())
        await sink.aclose()
    assert receiver.calls == 4 and len(receiver.accepted) == 1
    # Every attempt carries the same idempotency key.
    assert {h["Idempotency-Key"] for h in receiver.headers} == {"0123456789abcdef:1"}


async def test_429_honours_retry_after() -> None:
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    receiver = Receiver(fail_first=1, fail_status=429, retry_after="7")
    async with serve(receiver) as url:
        sink = WebhookSink(url, policy=FAST, sleep=record_sleep)
        await sink.deliver(alert())
        await sink.aclose()
    assert waits == [7.0] and len(receiver.accepted) == 1


async def test_retry_after_beyond_budget_gives_up_transiently() -> None:
    receiver = Receiver(fail_first=99, fail_status=429, retry_after="3600")
    async with serve(receiver) as url:
        sink = WebhookSink(url, policy=FAST)
        with pytest.raises(TransientDeliveryError, match="HTTP 429"):
            await sink.deliver(alert())
        await sink.aclose()
    assert receiver.calls == 1


async def test_persistent_500_gives_up_after_max_attempts() -> None:
    receiver = Receiver(fail_first=99)
    async with serve(receiver) as url:
        sink = WebhookSink(url, policy=FAST)
        with pytest.raises(TransientDeliveryError, match="after 5 attempts"):
            await sink.deliver(alert())
        await sink.aclose()
    assert receiver.calls == 5 and not receiver.accepted


async def test_400_is_permanent_and_not_retried() -> None:
    receiver = Receiver(fail_first=99, fail_status=400)
    async with serve(receiver) as url:
        sink = WebhookSink(url, policy=FAST)
        with pytest.raises(PermanentDeliveryError, match="HTTP 400: nope"):
            await sink.deliver(alert())
        await sink.aclose()
    assert receiver.calls == 1


async def test_connection_refused_is_transient_and_hides_the_url() -> None:
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook?token=SECRET-TOKEN"
    sink = WebhookSink(url, policy=FAST)
    with pytest.raises(TransientDeliveryError) as info:
        await sink.deliver(alert())
    await sink.aclose()
    assert "connection error" in str(info.value)
    assert "SECRET-TOKEN" not in str(info.value) and "SECRET-TOKEN" not in repr(sink)


async def test_timeout_is_retried() -> None:
    release = asyncio.Event()
    calls = 0

    async def slow_then_fast(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            await release.wait()  # never set: the client must time out
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", slow_then_fast)
    async with serve_app(app) as url:
        try:
            sink = WebhookSink(f"{url}/hook", timeout=0.2, policy=FAST)
            await sink.deliver(alert())
            await sink.aclose()
        finally:
            release.set()  # before the server stops: it waits for open handlers
    assert calls == 2
