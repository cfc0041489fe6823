"""The API's request guard over real HTTP on 127.0.0.1: Host (DNS rebinding), Origin
(cross-site pages), Content-Type of writes, the read-only default, odd tokens, the SSE cap."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from prometheus_client import REGISTRY

from services.alerting.api import ApiHub, bound_port, make_api, start_api
from services.alerting.history import MemoryAlertHistory
from services.alerting.silences import Silences
from shared.web_guard import RequestPolicy
from tests.unit.alerting_api.alerts import troops_alert

pytestmark = pytest.mark.asyncio

TOKEN = "guard-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SILENCE = b'{"matchers":{"severity":"critical"},"duration":"90d","created_by":"x"}'



@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Callable[..., object]]:
    runners: list[web.AppRunner] = []
    clients: list[httpx.AsyncClient] = []

    async def start(token: str | None = TOKEN, **kw: object) -> httpx.AsyncClient:
        history = MemoryAlertHistory()
        history.add(troops_alert())
        kw.setdefault("hub", ApiHub(history))
        app = make_api(history, Silences(), token=token, heartbeat_s=0.2, **kw)  # type: ignore[arg-type]
        runner = await start_api(app, "127.0.0.1", 0)
        runners.append(runner)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{bound_port(runner)}", timeout=10)
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.aclose()
    for runner in runners:
        await runner.cleanup()


def refused(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontwire_http_refused_total", {"service": "alerting_api", "reason": reason}
    )
    return value or 0.0


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "127.0.0.1.nip.io"])
async def test_a_foreign_host_is_refused_even_with_the_token(serve: Callable, host: str) -> None:
    client = await serve()
    before = refused("host")
    for path in ("/api/alerts", "/api/silences", "/", "/api/stream"):
        response = await client.get(path, headers={**AUTH, "Host": host})
        assert response.status_code == 403, path
        assert response.json() == {"error": "Host is not a name this server answers to"}
    assert refused("host") == before + 4


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:1234", "127.0.0.1", "[::1]:80",
                                  "app.localhost"])
async def test_loopback_names_and_ip_literals_are_served(serve: Callable, host: str) -> None:
    client = await serve()
    response = await client.get("/api/alerts", headers={**AUTH, "Host": host})
    assert response.status_code == 200, response.text


async def test_configured_public_names_are_served(serve: Callable) -> None:
    client = await serve(policy=RequestPolicy.build(["alerts.example.org"]))
    ok = await client.get("/api/alerts", headers={**AUTH, "Host": "alerts.example.org:443"})
    assert ok.status_code == 200
    assert (await client.get("/api/alerts", headers={"Host": "other.example"})).status_code == 403


async def test_a_cross_origin_write_is_refused_whatever_its_body(serve: Callable) -> None:
    client = await serve()
    for content_type in ("text/plain", "application/json"):
        response = await client.post(
            "/api/silences", content=SILENCE,
            headers={**AUTH, "Content-Type": content_type, "Origin": "http://127.0.0.1:1"},
        )
        assert response.status_code == 403, content_type
        assert response.json() == {"error": "cross-origin requests are not allowed"}
    for origin in ("null", "http://attacker.example", "file://"):
        response = await client.get("/api/alerts", headers={**AUTH, "Origin": origin})
        assert response.status_code == 403, origin
    assert (await client.get("/api/silences", headers=AUTH)).json() == {"silences": []}


async def test_same_origin_and_configured_origins_may_write(serve: Callable) -> None:
    client = await serve(policy=RequestPolicy.build(origins=["https://ops.example"]))
    own = str(client.base_url).rstrip("/")
    for origin in (own, "https://ops.example", "HTTPS://OPS.EXAMPLE:443"):
        response = await client.post(
            "/api/silences", content=SILENCE,
            headers={**AUTH, "Content-Type": "application/json; charset=utf-8", "Origin": origin},
        )
        assert response.status_code == 201, (origin, response.text)


async def test_a_write_must_be_json(serve: Callable) -> None:
    client = await serve()
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", None):
        headers = {**AUTH, **({"Content-Type": content_type} if content_type else {})}
        response = await client.post("/api/silences", content=SILENCE, headers=headers)
        assert response.status_code == 415, content_type
        assert response.json() == {"error": "Content-Type must be application/json"}
    assert (await client.get("/api/silences", headers=AUTH)).json() == {"silences": []}


async def test_without_a_token_the_api_is_read_only(serve: Callable) -> None:
    client = await serve(token=None)
    assert (await client.get("/api/alerts")).json()["count"] == 1
    response = await client.post(
        "/api/silences", content=SILENCE, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403
    assert "FRONTWIRE_API_TOKEN" in response.json()["error"]
    assert (await client.delete("/api/silences/abc")).status_code == 403
    assert (await client.get("/api/silences")).json() == {"silences": []}


@pytest.mark.parametrize(
    "value", ["Bearer tökén".encode(), b"Bearer \xff\xfe\x80", "Bearer guard-tokén".encode()]
)
async def test_a_non_ascii_token_is_401_not_500(serve: Callable, value: bytes) -> None:
    client = await serve()
    response = await client.get("/api/alerts", headers={"Authorization": value})
    assert response.status_code == 401
    stream = await client.get("/api/stream?token=t%C3%B6k%C3%A9n%FF")
    assert stream.status_code == 401


async def test_live_streams_are_capped(serve: Callable) -> None:
    history = MemoryAlertHistory()
    client = await serve(hub=ApiHub(history, max_subscribers=2))
    async with (
        client.stream("GET", "/api/stream", headers=AUTH) as first,
        client.stream("GET", "/api/stream", headers=AUTH) as second,
    ):
        assert first.status_code == second.status_code == 200
        third = await client.get("/api/stream", headers=AUTH)
        assert third.status_code == 503
        assert third.headers["Retry-After"] == "5"
        assert third.json() == {"error": "too many live streams open; try again later"}
