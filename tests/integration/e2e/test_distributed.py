"""The four services as separate processes over a real Kafka broker, end to end.

Waits are bounded (the test fails if the alerts do not arrive), never timing assertions.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.paths import SEED_ARTICLE, require_shared
from tests.support.articles import deployment_article, push_body
from tests.support.cluster import Workers, pipeline_workers
from tests.support.http import Received, StaticSite, WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")


def _alerts(received: list[Received]) -> list[dict]:
    return [r.body["data"] for r in received]


def _event_types(received: list[Received]) -> set[str]:
    return {a["event"]["type"] for a in _alerts(received)}


def _deployment_pairs(received: list[Received]) -> set[tuple[str | None, str | None]]:
    """(sender, recipient) country codes of the troop deployments alerted."""
    def code(actors: list[dict], role: str) -> str | None:
        return next((x["code"] for x in actors if x["role"] == role and x["code"]), None)

    return {(code(a["event"]["actors"], "sender"), code(a["event"]["actors"], "recipient"))
            for a in _alerts(received) if a["event"]["type"] == "troop_deployment"}


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def site() -> Iterator[StaticSite]:
    with StaticSite() as served:
        yield served


def _workers(
    kafka: str, tmp_path: Path, webhook: WebhookReceiver, feeds: Path | None = None
) -> Workers:
    return pipeline_workers(kafka, tmp_path, f"{webhook.url}/hook", feeds)


def _rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Mon, 14 Jul 2025 08:00:00 GMT</pubDate></item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Loopback world news</title><link>http://127.0.0.1/</link>{entries}"
        "</channel></rss>"
    ).encode()


def test_feed_to_webhook_over_kafka(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver, site: StaticSite
) -> None:
    sample = require_shared(SEED_ARTICLE).read_bytes()
    site.pages["/world/kim-russia.txt"] = ("text/plain; charset=utf-8", sample)
    site.pages["/feed.xml"] = (
        "application/rss+xml",
        _rss([("Kim pledges support to Russia", f"{site.url}/world/kim-russia.txt")]),
    )
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        f"sources:\n  - name: loopback\n    url: {site.url}/feed.xml\n    interval_s: 30\n"
    )
    workers = _workers(kafka_bootstrap, tmp_path, webhook, feeds)
    try:
        workers.start(*SERVICES)
        got = webhook.wait_for(
            lambda r: {"troop_deployment", "arms_transfer"} <= _event_types(r)
            and ("KP", "RU") in _deployment_pairs(r), timeout=120
        )
        listed = _api_alerts(workers.api_url, expect={r.body["data"]["alert_id"] for r in got})
        delivered_by_then = {r.body["data"]["alert_id"] for r in webhook.snapshot()}
    finally:
        workers.stop_all()
    alerts = _alerts(got)
    assert {"troop_deployment", "arms_transfer"} <= _event_types(got), alerts
    assert ("KP", "RU") in _deployment_pairs(got)
    text = orjson.dumps(alerts).decode()
    for teaser_word in ("Powell", "Zelenskyy", "Faulkender", "anti-corruption"):
        assert teaser_word not in text, (
            f"a related-article teaser leaked into an alert: {teaser_word}"
        )
    for received in got:  # every delivery carries its idempotency key
        assert received.headers.get("Idempotency-Key") == received.body["id"]
    # The alerting API lists what was delivered (and nothing else), with links to the source.
    listed_ids = {a["alert_id"] for a in listed}
    assert {a["alert_id"] for a in alerts} <= listed_ids <= delivered_by_then
    assert all(a["sources"][0]["url"].endswith("/world/kim-russia.txt") for a in listed)


def _api_alerts(api_url: str, expect: set[str]) -> list[dict]:
    """GET /api/alerts until it lists the ``expect`` ids (the read side follows a topic)."""
    deadline = time.monotonic() + 60
    alerts: list[dict] = []
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            alerts = client.get(f"{api_url}/api/alerts").raise_for_status().json()["alerts"]
            if expect <= {a["alert_id"] for a in alerts}:
                break
            time.sleep(0.5)
    return alerts


def _push(client: httpx.Client, fetcher_url: str, article: dict[str, str]) -> None:
    resp = client.post(f"{fetcher_url}/articles", json=push_body(article))
    assert resp.status_code == 202, resp.text


def test_kill_enricher_midway_every_alert_exactly_once(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    articles = [deployment_article(i) for i in range(200)]
    workers = _workers(kafka_bootstrap, tmp_path, webhook)
    try:
        workers.start(*SERVICES)
        with httpx.Client(timeout=10) as client:
            for article in articles[:100]:
                _push(client, workers.url("fetcher"), article)
            webhook.wait_for(lambda r: len(r) >= 30, timeout=120)
            workers.kill("enricher")  # SIGKILL: no clean shutdown, no offset commit
            for article in articles[100:]:
                _push(client, workers.url("fetcher"), article)
            workers.start("enricher")
        got = webhook.wait_for(lambda r: len({x.body["id"] for x in r}) >= 200, timeout=240)
        # Let any duplicate that reprocessing might cause arrive before counting.
        time.sleep(5)
        got = webhook.snapshot()
    finally:
        workers.stop_all()
    keys = Counter(r.headers.get("Idempotency-Key") for r in got)
    assert len(keys) == 200, f"expected 200 distinct alerts, got {len(keys)}"
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    senders = {
        (
            next(x["code"] for x in a["event"]["actors"] if x["role"] == "sender"),
            next(x["code"] for x in a["event"]["actors"] if x["role"] == "recipient"),
        )
        for a in _alerts(got)
    }
    assert senders == {(a["sender"], a["recipient"]) for a in articles}


async def _produce_and_collect_dead_letters(bootstrap: str, prefix: str) -> list[dict]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for topic in ("fetch.dedup", "articles.raw", "articles.clean", "articles.enriched",
                      "alerts.candidates", "alerts.routed"):
            await producer.send_and_wait(f"{prefix}.{topic}", b"{not json", key=b"poison")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        f"{prefix}.deadletter", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[dict] = []
    try:
        async with asyncio.timeout(90):
            while len(found) < 6:
                batch = await consumer.getmany(timeout_ms=1000)
                for messages in batch.values():
                    found.extend(orjson.loads(m.value)["data"] for m in messages)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return found


def test_poison_messages_go_to_dead_letter_and_pipeline_flows(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    workers = _workers(kafka_bootstrap, tmp_path, webhook)
    try:
        workers.start(*SERVICES)
        dead = asyncio.run(_produce_and_collect_dead_letters(kafka_bootstrap, workers.prefix))
        with httpx.Client(timeout=10) as client:
            _push(client, workers.url("fetcher"), deployment_article(7))
        got = webhook.wait_for(lambda r: len(r) >= 1, timeout=120)
        for service in SERVICES:
            assert workers.procs[service].poll() is None, f"{service} died: {workers.log(service)}"
    finally:
        workers.stop_all()
    stages = sorted(d["stage"] for d in dead)
    assert stages == ["alerting.decide", "alerting.deliver", "alerting.match", "cleaner",
                      "enricher", "fetcher.dedup"], dead
    assert all("not JSON" in d["error"] and d["payload"] == "{not json" for d in dead)
    assert len(got) == 1 and got[0].body["data"]["event"]["type"] == "troop_deployment"


def test_silence_through_the_api_suppresses_matching_alerts(
    kafka_bootstrap: str, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    silenced, other = deployment_article(11), deployment_article(100)  # KP->.., RU->..
    workers = _workers(kafka_bootstrap, tmp_path, webhook)
    workers.env_extra["FRONTWIRE_API_TOKEN"] = "e2e-api-token"  # without one it is read-only
    try:
        workers.start(*SERVICES)
        with httpx.Client(timeout=10) as client:
            resp = client.post(
                f"{workers.api_url}/api/silences",
                headers={"Authorization": "Bearer e2e-api-token"},
                json={
                    "matchers": {"country": silenced["sender"]},
                    "duration": "1h",
                    "created_by": "e2e",
                    "comment": "known exercise",
                },
            )
            assert resp.status_code == 201, resp.text
            _push(client, workers.url("fetcher"), silenced)
            _push(client, workers.url("fetcher"), other)
        got = webhook.wait_for(lambda r: len(r) >= 1, timeout=120)
        time.sleep(3)  # give the silenced alert every chance to (wrongly) arrive
        got = webhook.snapshot()
    finally:
        workers.stop_all()
    senders = [
        next(x["code"] for x in r.body["data"]["event"]["actors"] if x["role"] == "sender")
        for r in got
    ]
    assert senders == [other["sender"]]
