"""What the workers' ports answer, on real workers over a real Kafka broker: faust's own views
are gone (404), the push and WebSub views refuse foreign Hosts and Origins and ill-typed
bodies, validate pushed fields (400, never 500) and parse a hostile Link header cheaply; and
an exposed endpoint without its token does not start at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.cluster import FRONTWIRE, Workers, free_port

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FAUST_VIEWS = ("/table/", "/table/fetcher.dedup/", "/table/fetcher.dedup/x/", "/router/",
               "/router/fetcher.dedup/x/", "/graph/", "/stats/", "/performance/")


def test_worker_ports_serve_only_their_documented_routes(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")
    workers = Workers(kafka_bootstrap, tmp_path, env_extra={
        "FRONTWIRE_FEEDS_FILE": str(feeds),
        "FRONTWIRE_WEBSUB_CALLBACK_BASE": "http://hub-callbacks.example.org",
        "FRONTWIRE_WEBSUB_SECRET": "websub-master",
        "FRONTWIRE_API_TOKEN": "api-token",
    })
    try:
        workers.start("fetcher", "alerting")
        with httpx.Client(timeout=30) as client:
            for service in ("fetcher", "alerting"):
                base = workers.url(service)
                for path in FAUST_VIEWS:
                    response = client.get(base + path)
                    assert response.status_code == 404, (service, path, response.text[:200])
                assert client.get(base + "/metrics").status_code == 200
                assert client.get(base + "/health").json()["service"] == service
            _push_checks(client, workers.url("fetcher"))
            _websub_checks(client, workers.url("fetcher"))
        assert workers.procs["fetcher"].poll() is None, workers.log("fetcher")
    finally:
        workers.stop_all()
    assert "Traceback" not in workers.log("fetcher", tail=200_000)


def _push_checks(client: httpx.Client, base: str) -> None:
    url = f"{base}/articles"
    article = b'{"url":"https://news.example/a","text":"Troops moved."}'
    json_type = {"Content-Type": "application/json"}
    # A page on another origin, or on a rebound name: refused before the body is read.
    cross = client.post(url, content=article, headers={**json_type, "Origin": "http://127.0.0.1:1"})
    assert cross.status_code == 403, cross.text
    rebound = client.post(url, content=article, headers={**json_type, "Host": "evil.example"})
    assert rebound.status_code == 403, rebound.text
    # The types a page may send cross-site without a preflight are not articles here.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = client.post(url, content=article, headers={"Content-Type": content_type})
        assert response.status_code == 415, (content_type, response.text)
    # Ill-typed fields are the client's error, not the server's.
    for body, field in (
        ({"url": 5, "text": "x"}, "url"), ({"url": ["a"], "text": "x"}, "url"),
        ({"title": {"a": 1}, "text": "x"}, "title"), ({"text": {"a": 1}}, "text"),
        ({"html": 3}, "html"), ({"url": "javascript:alert(1)", "text": "x"}, "url"),
    ):
        response = client.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"].startswith(field), response.text
    for raw in (b"[1,2]", b'"text"', b"null", b"{"):
        assert client.post(url, content=raw, headers=json_type).status_code == 400, raw
    # Loopback without a push token: open to local programs, which send JSON (or HTML).
    assert client.post(url, content=article, headers=json_type).status_code == 202
    html = client.post(url, content=b"<p>Troops moved.</p>", headers={"Content-Type": "text/html"})
    assert html.status_code == 202


def _websub_checks(client: httpx.Client, base: str) -> None:
    url = f"{base}/websub/0123456789abcdef0123456789abcdef"
    feed = {"Content-Type": "application/atom+xml", "Host": "hub-callbacks.example.org"}
    # A hostile Link header is parsed cheaply (bounded, linear), then the key is unknown.
    for link in ("<" * 8000, "<a>;" * 2000):
        response = client.post(url, content=b"<feed/>", headers={**feed, "Link": link})
        assert response.status_code == 404, response.text
    # Hubs are servers: a request with an Origin comes from a page, refused.
    with_origin = client.post(url, content=b"<feed/>", headers={**feed, "Origin": base})
    assert with_origin.status_code == 403
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 403
    assert client.get(url, params={"hub.topic": "tö", "hub.mode": "subscribe"}).status_code == 404
    odd_key = client.get(f"{base}/websub/t%C3%B6%FF", params={"hub.topic": "x"})
    assert odd_key.status_code == 404


@pytest.mark.parametrize(
    ("service", "env", "named"),
    [
        ("fetcher", {"FRONTWIRE_WEB_HOST": "0.0.0.0"}, "FRONTWIRE_PUSH_TOKEN"),
        ("alerting", {"FRONTWIRE_API_HOST": "0.0.0.0"}, "FRONTWIRE_API_TOKEN"),
        ("alerting", {"FRONTWIRE_API_HOST": "::"}, "FRONTWIRE_API_TOKEN"),
    ],
)
def test_an_exposed_endpoint_without_its_token_does_not_start(
    tmp_path: Path, service: str, env: dict[str, str], named: str
) -> None:
    import os

    environ = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    environ.update({"FRONTWIRE_STATE_DIR": str(tmp_path), "FRONTWIRE_WEB_PORT": str(free_port()),
                    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", **env})
    done = subprocess.run(
        [str(FRONTWIRE), "worker", service], env=environ, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert named in done.stderr and "not a loopback address" in done.stderr
