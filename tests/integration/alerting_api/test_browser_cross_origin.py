"""A hostile page in a real browser (headless Chromium, Debian's chromium + chromedriver): on
another loopback origin it cannot create a silence, read alerts or push an article; under a
rebound name the API refuses to answer at all. The checks are on the servers' side (what was
stored, what was counted), the page's view only explains them.

Two loopback origins: the API (or the fetcher) on 127.0.0.1:A and the attacker's page on
127.0.0.1:B; a third name, rebind.test, resolves to 127.0.0.1 inside Chromium only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import REGISTRY

from tests.integration.alerting_api.server import ThreadedApi
from tests.support.browser import chromium, needs_chromium
from tests.support.cluster import Workers
from tests.support.http import StaticSite
from tests.unit.alerting_api.alerts import troops_alert

TOKEN = "leaked-api-token"
WAIT_S = 30  # an upper bound for the page to finish its attempts, not a latency assertion
SILENCE = {"matchers": {"severity": "critical"}, "duration": "90d", "created_by": "x"}

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = needs_chromium

# Every way a page can send to another origin: simple fetches (sent without asking: the
# server must refuse them), CORS fetches (need a preflight the server never grants), an
# EventSource, and a form posted as text/plain whose body is the silence JSON.
ATTACK_PAGE = """<!doctype html><html><body><iframe name="sink"></iframe><script>
const TARGET = %(target)s, TOKEN = %(token)s, BODY = %(body)s, PATHS = %(paths)s;
const results = {};
async function attempt(name, run) {
  try {
    const r = await run();
    let text = "";
    try { text = (await r.text()).slice(0, 200); } catch (e) { text = "unreadable"; }
    results[name] = "status " + r.status + " " + r.type + " " + text;
  } catch (e) { results[name] = "error " + e.name; }
}
(async () => {
  const write = TARGET + PATHS.write, read = TARGET + PATHS.read;
  await attempt("write_text_plain", () => fetch(write, {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body: BODY}));
  await attempt("write_form", () => fetch(write, {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: BODY}));
  await attempt("write_json_cors", () => fetch(write, {method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN},
    body: BODY}));
  await attempt("read_cors", () => fetch(read, {headers: {"Authorization": "Bearer " + TOKEN}}));
  await attempt("read_simple", () => fetch(read));
  await attempt("read_no_cors", () => fetch(read, {mode: "no-cors"}));
  await new Promise((done) => {
    const source = new EventSource(TARGET + "/api/stream?token=" + TOKEN);
    source.onmessage = (e) => { results.stream = "message " + e.data; source.close(); done(); };
    source.onerror = () => { results.stream = results.stream || "error"; source.close(); done(); };
  });
  await new Promise((done) => {
    const form = document.createElement("form");
    form.method = "POST"; form.enctype = "text/plain"; form.action = write; form.target = "sink";
    const field = document.createElement("input");
    field.name = BODY.slice(0, -1) + ', "pad": "'; field.value = '"}';
    form.appendChild(field); document.body.appendChild(form);
    document.querySelector("iframe").onload = () => { results.form = "sent"; done(); };
    form.submit();
  });
  document.body.dataset.results = JSON.stringify(results);
})();
</script></body></html>"""


@pytest.fixture
def browser() -> Iterator[Any]:
    # A rebinding attacker's name, resolved to loopback by Chromium alone.
    with chromium("--host-resolver-rules=MAP rebind.test 127.0.0.1") as driver:
        yield driver


def run_attack(browser: Any, target: str, paths: dict[str, str], body: dict[str, Any]) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    page = ATTACK_PAGE % {
        "target": orjson.dumps(target).decode(), "token": orjson.dumps(TOKEN).decode(),
        "body": orjson.dumps(orjson.dumps(body).decode()).decode(),
        "paths": orjson.dumps(paths).decode(),
    }
    with StaticSite({"/attack.html": ("text/html", page.encode())}) as attacker:
        assert attacker.url.split(":")[-1] != target.split(":")[-1]  # two origins
        browser.get(f"{attacker.url}/attack.html")
        done = WebDriverWait(browser, WAIT_S, poll_frequency=0.05).until(
            lambda d: d.find_element("tag name", "body").get_attribute("data-results")
        )
    results: dict[str, str] = orjson.loads(done)
    return results


def refused(service: str, reason: str) -> float:
    labels = {"service": service, "reason": reason}
    return REGISTRY.get_sample_value("frontwire_http_refused_total", labels) or 0.0


def assert_unreadable(results: dict[str, str]) -> None:
    """The page learnt nothing: CORS reads failed, the no-cors answer is opaque."""
    assert results["read_cors"] == "error TypeError", results
    assert results["read_simple"] == "error TypeError", results
    assert results["read_no_cors"] == "status 0 opaque ", results
    assert results["stream"] == "error", results
    assert results["write_json_cors"] == "error TypeError", results  # no preflight granted


@pytest.mark.parametrize("token", [None, TOKEN], ids=["default-read-only", "with-token"])
def test_a_page_on_another_origin_cannot_silence_or_read_alerts(
    browser: Any, token: str | None
) -> None:
    """Even a page that knows the token (with-token) gets nowhere from another origin."""
    with ThreadedApi([troops_alert()], token=token) as api:
        before = refused("alerting_api", "origin")
        results = run_attack(
            browser, api.url, {"write": "/api/silences", "read": "/api/alerts"}, SILENCE
        )
        assert_unreadable(results)
        assert results["form"] == "sent"
        assert api.silences.list(time.time(), include_expired=True) == []
        # Each request that reached the server was refused for its Origin (a CORS fetch
        # needing a preflight may not even be sent).
        assert refused("alerting_api", "origin") - before >= 5

        # The same browser on the API's own origin: the live page's requests still work.
        browser.get(f"{api.url}/")
        status = browser.execute_async_script(
            """const done = arguments[arguments.length - 1];
            fetch("/api/alerts", {headers: arguments[0]}).then((r) => done(r.status));""",
            {"Authorization": f"Bearer {token}"} if token else {},
        )
        assert status == 200


def test_a_rebound_name_gets_no_answer(browser: Any) -> None:
    with ThreadedApi([troops_alert()], token=None) as api:
        port = api.url.rsplit(":", 1)[1]
        browser.get(f"http://rebind.test:{port}/api/alerts")
        text = browser.find_element("tag name", "body").text
        assert "Host is not a name this server answers to" in text
        assert troops_alert().alert_id not in browser.page_source
        browser.get(f"http://rebind.test:{port}/")
        assert "Host is not a name" in browser.find_element("tag name", "body").text
        browser.get(f"{api.url}/api/alerts")  # the loopback address itself is served
        assert troops_alert().alert_id in browser.page_source


@pytest.mark.kafka
def test_a_page_on_another_origin_cannot_push_an_article(
    browser: Any, kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Against a real fetcher worker on the default settings (loopback, no push token)."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")
    workers = Workers(kafka_bootstrap, tmp_path, env_extra={"FRONTWIRE_FEEDS_FILE": str(feeds)})
    article = {"url": "https://fake.example/coup", "title": "Coup", "text": "Troops seized it."}
    try:
        workers.start("fetcher")
        base = workers.url("fetcher")
        results = run_attack(browser, base, {"write": "/articles", "read": "/metrics"}, article)
        assert results["form"] == "sent"
        assert results["write_json_cors"] == "error TypeError", results
        with httpx.Client(timeout=10) as client:
            counts = pushes(client.get(f"{base}/metrics").text)
            assert counts.get("accepted", 0) == 0, counts
            assert counts["refused"] >= 3, counts  # text/plain, form, the <form> post
            # A local program (no Origin, JSON) is still served: the control.
            assert client.post(f"{base}/articles", json=article).status_code == 202
            assert pushes(client.get(f"{base}/metrics").text)["accepted"] == 1
    finally:
        workers.stop_all()


def pushes(metrics: str) -> dict[str, float]:
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("frontwire_fetcher_pushes_total{"):
            labels, _, value = line.rpartition(" ")
            outcome = labels.split('outcome="', 1)[1].split('"', 1)[0]
            counts[outcome] = float(value)
    return counts
