"""The API contract (services/alerting/api/openapi.yaml): a valid OpenAPI 3.1 document, served
at /api/openapi.json, naming every route of the application; and a real server with real data
answers every operation as the document says (schemathesis generates the requests, a few per
operation, and checks status codes, content types, headers and bodies against it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.alerting.api import api_hub, make_api
from services.alerting.api.contract import openapi_document
from services.alerting.history import MemoryAlertHistory
from services.alerting.silences import Silences, parse_silence
from tests.integration.alerting_api.server import ThreadedApi
from tests.unit.alerting_api.alerts import located_troops, mobilisation_alert, shells_alert

TOKEN = "contract-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 20
STREAM = "/api/stream"  # never ends by itself: checked by hand below, not by generated cases


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedApi]:
    with ThreadedApi([located_troops(), shells_alert(), mobilisation_alert()],
                     token=TOKEN) as api:
        body = {"matchers": {"rule": "mobilisation"}, "duration": "2h", "created_by": "ops"}
        api.silences.add(parse_silence(body, time.time(), silence_id="known-silence"))
        yield api


@pytest.fixture(scope="module")
def schema(server: ThreadedApi) -> Any:
    # The served document (from_url would leave out the operation that serves it).
    served = httpx.get(f"{server.url}/api/openapi.json", headers=AUTH).json()
    return schemathesis.openapi.from_dict(served)


def test_the_document_is_valid_openapi_3_1() -> None:
    document = openapi_document()
    validate(document)  # raises, naming the first error
    assert document["openapi"].startswith("3.1")


def test_the_server_serves_the_document(server: ThreadedApi) -> None:
    response = httpx.get(f"{server.url}/api/openapi.json", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == openapi_document()


def test_every_route_is_in_the_document_and_nothing_else() -> None:
    app = make_api(MemoryAlertHistory(), Silences(), token=None)
    routes = set()
    for route in app.router.routes():
        if route.method == "HEAD":  # aiohttp adds one to every GET
            continue
        path = route.resource.canonical if route.resource else ""
        if path == "/static":  # the static folder: one file per name
            path = "/static/{filename}"
        routes.add((route.method.lower(), path))
    documented = {
        (method, path)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routes == documented


def test_every_operation_answers_as_documented(server: ThreadedApi, schema: Any) -> None:
    """Generated requests (schemathesis, positive data) against the real server."""
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == STREAM:
            continue
        _run_generated(operation, server.url)
        tested.append(operation.label)
    documented = [
        f"{method.upper()} {path}"
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method != "parameters" and path != STREAM
    ]
    assert sorted(tested) == sorted(documented)


def _run_generated(operation: Any, base_url: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=AUTH, checks=CHECKS)

    run()


KNOWN = [
    # (operation path, method, path parameters, query, headers, body, expected status)
    ("/api/alerts/{alert_id}", "GET", {"alert_id": "3f2a9c0d1e4b5a67"}, None, AUTH, None, 200),
    ("/api/alerts/{alert_id}", "GET", {"alert_id": "no-such"}, None, AUTH, None, 404),
    ("/api/alerts", "GET", None, {"limit": "0"}, AUTH, None, 400),
    ("/api/alerts", "GET", None, None, {}, None, 401),
    ("/api/alerts", "GET", None, None, {**AUTH, "Host": "rebound.example"}, None, 403),
    ("/api/events", "GET", None, {"format": "csv"}, AUTH, None, 200),
    ("/api/events", "GET", None, {"format": "geojson", "country": "RU"}, AUTH, None, 200),
    ("/api/events.csv", "GET", None, {"since": "soon"}, AUTH, None, 400),
    ("/api/silences/{silence_id}", "GET", {"silence_id": "known-silence"}, None, AUTH, None, 200),
    ("/api/silences/{silence_id}", "DELETE", {"silence_id": "known-silence"}, None, AUTH, None,
     200),
    ("/api/silences/{silence_id}", "DELETE", {"silence_id": "no-such"}, None, AUTH, None, 404),
    ("/api/silences", "POST", None, None, AUTH,
     {"matchers": {"country": "KP"}, "duration": "1h", "created_by": "ops"}, 201),
    ("/api/silences", "POST", None, None, AUTH, {"matchers": {}, "created_by": "ops"}, 400),
    ("/api/silences", "POST", None, None, AUTH, {"comment": "x" * 70_000}, 413),
    ("/api/stream", "GET", None, {"severity": "loud"}, AUTH, None, 400),
    ("/api/stream", "GET", None, None, {}, None, 401),
    ("/", "GET", None, None, {}, None, 200),
    ("/static/{filename}", "GET", {"filename": "app.js"}, None, {}, None, 200),
    ("/static/{filename}", "GET", {"filename": "no-such.js"}, None, {}, None, 404),
    ("/api/openapi.json", "GET", None, None, {}, None, 401),
]


@pytest.mark.parametrize(("path", "method", "params", "query", "headers", "body", "status"),
                         KNOWN, ids=[f"{k[1]} {k[0]} {k[6]}" for k in KNOWN])
def test_known_cases_answer_as_documented(
    server: ThreadedApi, schema: Any, path: str, method: str, params: dict | None,
    query: dict | None, headers: dict, body: Any, status: int,
) -> None:
    """Each documented status that generated data does not reach by itself."""
    case = schema[path][method].Case(
        path_parameters=params, query=query, headers=headers,
        **({"body": body, "media_type": "application/json"} if body is not None else {}),
    )
    response = case.call_and_validate(base_url=server.url, checks=CHECKS)
    assert response.status_code == status


def test_a_write_that_is_not_json_is_refused_as_documented(
    server: ThreadedApi, schema: Any
) -> None:
    case = schema["/api/silences"]["POST"].Case(
        headers=AUTH, body="matchers=x", media_type="text/plain"
    )
    response = case.call_and_validate(base_url=server.url, checks=CHECKS)
    assert response.status_code == 415


def test_the_stream_opens_as_documented(server: ThreadedApi) -> None:
    documented = openapi_document()["paths"][STREAM]["get"]["responses"]["200"]["content"]
    with httpx.stream("GET", f"{server.url}{STREAM}?token={TOKEN}", timeout=10) as response:
        assert response.status_code == 200
        media_type = response.headers["Content-Type"].split(";")[0]
        assert media_type in documented
        assert next(response.iter_bytes()).startswith(b"retry: ")


def test_the_limits_answer_as_documented(server: ThreadedApi, schema: Any) -> None:
    """409 when the silences are at their cap, 503 when the streams are (then restored)."""
    assert server.app is not None
    hub, silences = api_hub(server.app), server.silences
    caps = hub.max_subscribers, silences.max_silences
    hub.max_subscribers, silences.max_silences = 0, 0
    try:
        full = schema["/api/silences"]["POST"].Case(
            headers=AUTH, media_type="application/json",
            body={"matchers": {"rule": "x"}, "duration": "1h", "created_by": "ops"},
        )
        assert full.call_and_validate(base_url=server.url, checks=CHECKS).status_code == 409
        busy = schema[STREAM]["GET"].Case(headers=AUTH)
        # 503 is this answer's documented meaning here, not a crash: conformance checks only.
        conformance = [c for c in CHECKS if c is not not_a_server_error]
        response = busy.call_and_validate(base_url=server.url, checks=conformance)
        assert response.status_code == 503
    finally:
        hub.max_subscribers, silences.max_silences = caps


def test_a_read_only_api_refuses_writes_as_documented(schema: Any) -> None:
    with ThreadedApi([shells_alert()], token=None) as read_only:
        create = schema["/api/silences"]["POST"].Case(
            media_type="application/json",
            body={"matchers": {"rule": "x"}, "duration": "1h", "created_by": "ops"},
        )
        expire = schema["/api/silences/{silence_id}"]["DELETE"].Case(
            path_parameters={"silence_id": "any"}
        )
        for case in (create, expire):
            response = case.call_and_validate(base_url=read_only.url, checks=CHECKS)
            assert response.status_code == 403
        read = schema["/api/events"]["GET"].Case()
        assert read.call_and_validate(base_url=read_only.url, checks=CHECKS).status_code == 200


def _cases(schema: Any, headers: dict[str, str]) -> Iterator[Any]:
    """One request per operation (path parameters "x", a JSON body for writes)."""
    for result in schema.get_all_operations():
        operation = result.ok()
        params = {p.name: "x" for p in operation.path_parameters}
        body = {"body": {}, "media_type": "application/json"} if operation.body else {}
        yield operation.Case(path_parameters=params, headers=headers, **body)


def test_every_operation_refuses_a_foreign_host_and_a_missing_token_as_documented(
    server: ThreadedApi, schema: Any
) -> None:
    refused = 0
    for case in _cases(schema, {**AUTH, "Host": "rebound.example"}):
        assert case.call_and_validate(base_url=server.url, checks=CHECKS).status_code == 403
        refused += 1
    unauthorized = 0
    for case in _cases(schema, {}):
        if case.operation.path.startswith("/api/"):
            response = case.call_and_validate(base_url=server.url, checks=CHECKS)
            assert response.status_code == 401, case.operation.label
            unauthorized += 1
    assert (refused, unauthorized) == (13, 11)
