"""GET /api/events, .geojson and .csv over real HTTP on 127.0.0.1: formats, content types,
filters, the limit, the token and the request guard."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.alerting.api import bound_port, make_api, start_api
from services.alerting.history import MemoryAlertHistory
from services.alerting.silences import Silences
from tests.unit.alerting_api.alerts import located_troops, mobilisation_alert, shells_alert

pytestmark = pytest.mark.asyncio

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    history = MemoryAlertHistory()
    for alert in (located_troops(), shells_alert(), mobilisation_alert()):
        history.add(alert)
    runner = await start_api(make_api(history, Silences(), token=TOKEN), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{bound_port(runner)}"
    async with httpx.AsyncClient(base_url=base, timeout=10, headers=AUTH) as http:
        yield http
    await runner.cleanup()


async def test_json_lists_events_newest_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/events")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 3
    assert [e["type"] for e in body["events"]] == [
        "mobilisation", "arms_transfer", "troop_deployment",
    ]


async def test_geojson_by_path_and_by_format(client: httpx.AsyncClient) -> None:
    for path in ("/api/events.geojson", "/api/events?format=geojson"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "application/geo+json"
        [feature] = response.json()["features"]
        assert feature["geometry"]["coordinates"] == [36.19, 51.73]


async def test_csv_by_path_and_by_format_with_filters(client: httpx.AsyncClient) -> None:
    for path in ("/api/events.csv?country=kp", "/api/events?format=csv&country=KP"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
        assert [r["type"] for r in rows] == ["arms_transfer", "troop_deployment"]


async def test_limit_bounds_the_rows_and_bad_values_name_their_parameter(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/events?limit=1")).json()["count"] == 1
    for query, field in (("limit=5000", "limit"), ("format=xlsx", "format"),
                         ("since=yesterday", "since")):
        response = await client.get(f"/api/events?{query}")
        assert response.status_code == 400, query
        assert response.json()["field"] == field


async def test_events_need_the_token_and_pass_the_guard(client: httpx.AsyncClient) -> None:
    for path in ("/api/events", "/api/events.geojson", "/api/events.csv"):
        no_token = await client.get(path, headers={"Authorization": ""})
        assert no_token.status_code == 401, path
        rebound = await client.get(path, headers={"Host": "attacker.example"})
        assert rebound.status_code == 403, path
        cross_site = await client.get(path, headers={"Origin": "https://attacker.example"})
        assert cross_site.status_code == 403, path
