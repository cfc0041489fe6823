"""The API over real HTTP on 127.0.0.1: auth, alert queries, silences CRUD, the SSE stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import httpx
import orjson
import pytest
import pytest_asyncio
from aiohttp import web

from services.alerting.api import api_hub, bound_port, make_api, start_api
from services.alerting.api.keys import SILENCES
from services.alerting.history import MemoryAlertHistory
from services.alerting.silences import Silences
from tests.unit.alerting_api.alerts import T0, mobilisation_alert, shells_alert, troops_alert

pytestmark = pytest.mark.asyncio

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Api:
    def __init__(self, app: web.Application, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client


@pytest_asyncio.fixture
async def api() -> AsyncIterator[Api]:
    history = MemoryAlertHistory()
    for alert in (troops_alert(), shells_alert(), mobilisation_alert()):
        history.add(alert)
    app = make_api(history, Silences(), token=TOKEN, heartbeat_s=0.2)
    runner = await start_api(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{bound_port(runner)}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Api(app, client)
    await runner.cleanup()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
)
async def test_api_requires_the_token(api: Api, headers: dict[str, str]) -> None:
    for path in ("/api/alerts", "/api/silences", f"/api/alerts/{troops_alert().alert_id}"):
        response = await api.client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json() == {"error": "missing or invalid bearer token"}
    # ?token= is for EventSource only; elsewhere it must not work (tokens in URLs get logged)
    assert (await api.client.get(f"/api/alerts?token={TOKEN}")).status_code == 401
    assert (await api.client.post("/api/silences", headers=headers, json={})).status_code == 401


async def test_page_and_assets_need_no_token_and_carry_security_headers(api: Api) -> None:
    page = await api.client.get("/")
    assert page.status_code == 200 and "static/app.js" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert (await api.client.get(asset)).status_code == 200


async def test_list_alerts_newest_first_with_filters(api: Api) -> None:
    async def ids(query: str) -> list[str]:
        response = await api.client.get(f"/api/alerts{query}", headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"
        body = response.json()
        assert body["count"] == len(body["alerts"])
        return [a["alert_id"] for a in body["alerts"]]

    troops, shells, pl = (a().alert_id for a in (troops_alert, shells_alert, mobilisation_alert))
    assert await ids("") == [pl, shells, troops]
    assert await ids("?severity=critical") == [shells, troops]
    assert await ids("?type=troop_deployment") == [troops]
    assert await ids("?country=pl") == [pl]
    assert await ids("?rule=arms-transfer") == [shells]
    assert await ids(f"?since={T0 + 60}&until={T0 + 120}") == [shells]
    assert await ids("?since=2025-07-14T08:01:00Z") == [pl, shells]
    assert await ids("?limit=1") == [pl]
    assert await ids("?country=KP&severity=warning") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("severity=urgent", "severity"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("since=yesterday", "since"),
        ("until=2025-07-14T08:00:00", "until"),
    ],
)
async def test_bad_filters_are_400_naming_the_field(api: Api, query: str, field: str) -> None:
    response = await api.client.get(f"/api/alerts?{query}", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["error"].startswith(field)


async def test_one_alert_with_sources_and_versions(api: Api) -> None:
    api_hub(api.app).publish(troops_alert(version=2, alerted=T0 + 900))
    response = await api.client.get(f"/api/alerts/{troops_alert().alert_id}", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2 and [v["version"] for v in body["versions"]] == [1, 2]
    assert [(s["publisher"], s["title"]) for s in body["sources"]] == [
        ("CNN", "North Korea to send up to 30,000 more troops to Russia, Ukraine says"),
        ("BBC News", "Ukraine: North Korea preparing new troop deployment"),
    ]
    assert all(s["url"].startswith("https://") for s in body["sources"])
    missing = await api.client.get("/api/alerts/unknown", headers=AUTH)
    assert missing.status_code == 404 and "error" in missing.json()


async def test_silences_crud(api: Api) -> None:
    new = {
        "matchers": {"rule": "arms-transfer", "country": "KP"},
        "duration": "2h",
        "created_by": "alice",
        "comment": "tracked in OPS-12",
    }
    created = await api.client.post("/api/silences", headers=AUTH, json=new)
    assert created.status_code == 201, created.text
    silence = created.json()
    assert created.headers["Location"] == f"/api/silences/{silence['id']}"
    assert silence["state"] == "active" and silence["matchers"] == new["matchers"]
    assert silence["ends_at"] == pytest.approx(time.time() + 7200, abs=60)

    listed = (await api.client.get("/api/silences", headers=AUTH)).json()["silences"]
    assert [s["id"] for s in listed] == [silence["id"]]
    one = await api.client.get(f"/api/silences/{silence['id']}", headers=AUTH)
    assert one.json()["comment"] == "tracked in OPS-12"
    silences = api.app[SILENCES]
    assert silences.silenced(shells_alert(), time.time()) is not None

    expired = await api.client.delete(f"/api/silences/{silence['id']}", headers=AUTH)
    assert expired.status_code == 200 and expired.json()["state"] == "expired"
    assert silences.silenced(shells_alert(), time.time() + 1) is None
    assert (await api.client.get("/api/silences", headers=AUTH)).json()["silences"] == []
    everything = await api.client.get("/api/silences?all=true", headers=AUTH)
    assert [s["state"] for s in everything.json()["silences"]] == ["expired"]
    assert (await api.client.delete("/api/silences/nope", headers=AUTH)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b'{"matchers": {}, "duration": "1h", "created_by": "a"}', "matchers"),
        (b'{"matchers": {"rule": "x"}, "duration": "forever", "created_by": "a"}', "duration"),
        (b'{"matchers": {"rule": "x"}, "duration": "1h"}', "created_by"),
        (b'{"matchers": {"team": "x"}, "duration": "1h", "created_by": "a"}', "matchers.team"),
    ],
)
async def test_silence_validation_is_400_naming_the_field(
    api: Api, body: bytes, field: str
) -> None:
    response = await api.client.post(
        "/api/silences", headers={**AUTH, "Content-Type": "application/json"}, content=body
    )
    assert response.status_code == 400
    assert response.json()["field"] == field


async def read_event(lines: AsyncIterator[str]) -> tuple[str, str]:
    """The next SSE event as (event name, data), skipping the retry field."""
    name, data = "", ""
    async for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and name:
            return name, data
    raise AssertionError("stream ended")


async def test_stream_pushes_published_alerts_matching_its_filter(api: Api) -> None:
    hub = api_hub(api.app)
    url = f"/api/stream?severity=critical&token={TOKEN}"  # the EventSource way
    async with api.client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        # The first heartbeat means we are subscribed: nothing published from now is missed.
        assert (await asyncio.wait_for(read_event(lines), 10))[0] == "heartbeat"
        hub.publish(mobilisation_alert(alerted=T0 + 500, version=2))  # warning: filtered out
        hub.publish(troops_alert(version=2, alerted=T0 + 600))
        name, data = await asyncio.wait_for(_skip_heartbeats(lines), 10)
    assert name == "alert"
    entry = orjson.loads(data)
    assert entry["alert_id"] == troops_alert().alert_id and entry["version"] == 2
    assert len(entry["sources"]) == 2
    # The server notices the disconnect at its next write (a heartbeat) and unsubscribes.
    await asyncio.wait_for(_until(lambda: hub.subscribers == 0), 10)


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def _skip_heartbeats(lines: AsyncIterator[str]) -> tuple[str, str]:
    while True:
        name, data = await read_event(lines)
        if name != "heartbeat":
            return name, data


async def test_stream_needs_the_token_and_validates_filters(api: Api) -> None:
    assert (await api.client.get("/api/stream")).status_code == 401
    assert (await api.client.get("/api/stream?token=nope")).status_code == 401
    bad = await api.client.get("/api/stream?severity=loud", headers=AUTH)
    assert bad.status_code == 400 and bad.json()["field"] == "severity"


async def test_shutdown_ends_open_streams() -> None:
    history = MemoryAlertHistory()
    app = make_api(history, Silences(), token=None, heartbeat_s=30)
    runner = await start_api(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{bound_port(runner)}"
    async with (
        httpx.AsyncClient(base_url=base) as client,
        client.stream("GET", "/api/stream") as response,
    ):
        lines = response.aiter_lines()
        assert (await asyncio.wait_for(read_event(lines), 10))[0] == "heartbeat"
        # Without the hub closing streams, cleanup would wait for the shutdown timeout.
        await asyncio.wait_for(runner.cleanup(), 10)
    assert api_hub(app).subscribers == 0


async def test_the_silence_cap_is_a_409_naming_the_setting() -> None:
    app = make_api(MemoryAlertHistory(), Silences(max_silences=2), token=TOKEN, heartbeat_s=0.2)
    runner = await start_api(app, "127.0.0.1", 0)
    new = {"matchers": {"rule": "arms-transfer"}, "duration": "1h", "created_by": "alice"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bound_port(runner)}",
                                     timeout=10) as client:
            codes = [(await client.post("/api/silences", headers=AUTH, json=new)).status_code
                     for _ in range(3)]
            full = await client.post("/api/silences", headers=AUTH, json=new)
    finally:
        await runner.cleanup()
    assert codes == [201, 201, 409]
    assert full.status_code == 409 and "FRONTWIRE_MAX_SILENCES" in full.json()["error"]
