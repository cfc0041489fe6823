"""A full distributed run with known secret values finds none of them anywhere it leaves
data: the workers' logs, their metrics, the API's answers, every Kafka topic of the run
(dead letters and table changelogs included) and every file of the state directories (the
SQLite stores among them).

The run exercises the paths that carry secrets: pushes with the push token (and a refused
wrong one), the API with its token in the header and in the stream's ?token=, Slack through
an incoming-webhook URL whose path is the secret (the first delivery refused, so an error
is logged and dead-lettered), a signed webhook whose URL carries a token, poison records.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.articles import deployment_article, push_body
from tests.support.cluster import FRONTWIRE, Workers
from tests.support.http import LoopbackServer, StaticSite, WebhookReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SERVICES = ("fetcher", "cleaner", "enricher", "alerting")
SLACK_PATH = "/services/T0SLACKSECRET/B0SLACKSECRET/slackurlsecret0123456789"
SECRETS = {
    "slack_url": "slackurlsecret0123456789",
    "slack_url_path": "T0SLACKSECRET",
    "slack_token": "xoxb-slacktokensecret-9876543210",
    "webhook_secret": "webhookhmacsecret-abcdef012345",
    "webhook_url_token": "webhookurltoken-77aa88bb99cc",
    "api_token": "apitokensecret-0123456789abcdef",
    "push_token": "pushtokensecret-fedcba9876543210",
    "websub_secret": "websubmastersecret-13579bdf",
}


class SlackHook(LoopbackServer):
    """An incoming webhook: refuses the first message (403), then takes every one."""

    def __init__(self) -> None:
        self.posts: list[bytes] = []
        self.refused = 0
        self.lock = threading.Lock()
        super().__init__(_SlackHandler)


class _SlackHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        hook: SlackHook = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with hook.lock:
            if self.path != SLACK_PATH:
                status = 404
            elif hook.refused == 0:
                hook.refused, status = 1, 403
            else:
                hook.posts.append(body)
                status = 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no" if status != 200 else b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def test_no_secret_value_leaks_anywhere(kafka_bootstrap: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")
    with WebhookReceiver() as webhook, SlackHook() as slack:
        workers = Workers(kafka_bootstrap, tmp_path, env_extra={
            "FRONTWIRE_FEEDS_FILE": str(feeds),
            "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
            "FRONTWIRE_WEBHOOK_URL": f"{webhook.url}/hook?token={SECRETS['webhook_url_token']}",
            "FRONTWIRE_WEBHOOK_SECRET": SECRETS["webhook_secret"],
            "FRONTWIRE_SLACK_WEBHOOK_URL": f"{slack.url}{SLACK_PATH}",
            "FRONTWIRE_SLACK_TOKEN": SECRETS["slack_token"],
            "FRONTWIRE_SLACK_CHANNEL": "C0ALERTS",
            "FRONTWIRE_API_TOKEN": SECRETS["api_token"],
            "FRONTWIRE_PUSH_TOKEN": SECRETS["push_token"],
            "FRONTWIRE_WEBSUB_SECRET": SECRETS["websub_secret"],
            "FRONTWIRE_WEBSUB_CALLBACK_BASE": "http://127.0.0.1:1",
            "FRONTWIRE_CONSOLE_SINK": "true",
            "FRONTWIRE_LOG_LEVEL": "DEBUG",
        })
        scanned: dict[str, bytes] = {}
        try:
            workers.start(*SERVICES)
            asyncio.run(_poison(kafka_bootstrap, workers.prefix))
            with httpx.Client(timeout=30) as client:
                _exercise(client, workers)
                webhook.wait_for(lambda r: len(r) >= 3, timeout=120)
                deadline = time.monotonic() + 120
                while len(slack.posts) < 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
                scanned.update(_answers(client, workers))
            for service in SERVICES:
                assert workers.procs[service].poll() is None, workers.log(service)
        finally:
            workers.stop_all()
        topics = asyncio.run(_all_records(kafka_bootstrap, workers.prefix))
    # Not a vacuous scan: the run delivered, refused, dead-lettered and stored.
    assert len(webhook.received) >= 3 and len(slack.posts) >= 2 and slack.refused == 1
    assert any(name.endswith(".deadletter") for name, _ in topics)
    assert any(b"slack: HTTP 403" in value for name, value in topics if "deadletter" in name)
    assert all(b"v2=" in r.headers["X-Frontwire-Signature"].encode() for r in webhook.received)
    for service in SERVICES:
        scanned[f"log:{service}"] = (tmp_path / f"{service}.log").read_bytes()
    for path in (p for p in (tmp_path / "state").rglob("*") if p.is_file()):
        scanned[f"file:{path.relative_to(tmp_path)}"] = path.read_bytes()
    for index, (name, value) in enumerate(topics):
        scanned[f"topic:{name}#{index}"] = value
    assert sum(len(v) for k, v in scanned.items() if k.startswith("log:")) > 10_000
    assert leaks(scanned) == []


def test_no_secret_value_leaks_into_the_embedded_state(tmp_path: Path) -> None:
    """Embedded mode keeps its state in SQLite (fetch state, delivery log, alert history,
    silences): one poll with every secret configured, then every file and line it left."""
    articles = [deployment_article(i) for i in (7, 8)]
    with StaticSite() as site, WebhookReceiver() as webhook, SlackHook() as slack:
        items = ""
        for n, article in enumerate(articles):
            site.pages[f"/a{n}.txt"] = ("text/plain", article["text"].encode())
            link = f"{site.url}/a{n}.txt"
            items += f"<item><title>{article['title']}</title><link>{link}</link></item>"
        site.pages["/feed.xml"] = ("application/rss+xml", (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"{items}</channel></rss>").encode())
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"sources:\n  - name: loopback\n    url: {site.url}/feed.xml\n")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FRONTWIRE_")},
            "FRONTWIRE_STATE_DIR": str(tmp_path / "state"),
            "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
            "FRONTWIRE_WEBHOOK_URL": f"{webhook.url}/hook?token={SECRETS['webhook_url_token']}",
            "FRONTWIRE_WEBHOOK_SECRET": SECRETS["webhook_secret"],
            "FRONTWIRE_SLACK_WEBHOOK_URL": f"{slack.url}{SLACK_PATH}",
            "FRONTWIRE_SLACK_TOKEN": SECRETS["slack_token"],
            "FRONTWIRE_API_TOKEN": SECRETS["api_token"],
            "FRONTWIRE_PUSH_TOKEN": SECRETS["push_token"],
            "FRONTWIRE_WEBSUB_SECRET": SECRETS["websub_secret"],
            "FRONTWIRE_LOG_LEVEL": "DEBUG",
        }
        done = subprocess.run(
            [str(FRONTWIRE), "run", "--once", "--feeds", str(feeds)], env=env,
            capture_output=True, timeout=180,
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    assert len(webhook.received) == 2 and slack.refused == 1 and len(slack.posts) == 1
    scanned = {"stdout": done.stdout, "stderr": done.stderr}
    files = [p for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert sum(p.suffix == ".sqlite" for p in files) >= 3, files
    for path in files:
        scanned[str(path.relative_to(tmp_path))] = path.read_bytes()
    assert leaks(scanned) == []


def leaks(scanned: dict[str, bytes]) -> list[tuple[str, str]]:
    """(where, which secret) for every secret value found in the scanned data."""
    return [
        (where, secret) for where, data in scanned.items()
        for secret, value in SECRETS.items() if value.encode() in data
    ]


def _exercise(client: httpx.Client, workers: Workers) -> None:
    push = f"{workers.url('fetcher')}/articles"
    auth = {"Authorization": f"Bearer {SECRETS['push_token']}"}
    assert client.post(push, json=push_body(deployment_article(1))).status_code == 401
    assert client.post(push, json={"text": "x"}, headers={
        "Authorization": "Bearer not-the-token"}).status_code == 401
    for index in (3, 4, 5, 6):
        response = client.post(push, json=push_body(deployment_article(index)), headers=auth)
        assert response.status_code == 202, response.text
    api = workers.api_url
    bearer = {"Authorization": f"Bearer {SECRETS['api_token']}"}
    silence = {"matchers": {"country": "ZZ"}, "duration": "1h", "created_by": "scan"}
    assert client.post(f"{api}/api/silences", json=silence, headers=bearer).status_code == 201
    assert client.get(f"{api}/api/alerts", headers=bearer).status_code == 200
    assert client.get(f"{api}/api/alerts").status_code == 401
    with client.stream("GET", f"{api}/api/stream?token={SECRETS['api_token']}") as stream:
        assert stream.status_code == 200
    websub = f"{workers.url('fetcher')}/websub/{'0' * 32}"
    assert client.post(websub, content=b"<feed/>", headers={
        "Content-Type": "application/atom+xml", "Host": "127.0.0.1:1"}).status_code == 404


def _answers(client: httpx.Client, workers: Workers) -> dict[str, bytes]:
    found = {f"metrics:{s}": client.get(f"{workers.url(s)}/metrics").content for s in SERVICES}
    bearer = {"Authorization": f"Bearer {SECRETS['api_token']}"}
    for path in ("/api/alerts", "/api/silences?all=1", "/"):
        found[f"api:{path}"] = client.get(workers.api_url + path, headers=bearer).content
    return found


async def _poison(bootstrap: str, prefix: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for topic in ("articles.raw", "articles.clean", "articles.enriched"):
            await producer.send_and_wait(f"{prefix}.{topic}", b"{not json", key=b"poison")
    finally:
        await producer.stop()


async def _all_records(bootstrap: str, prefix: str) -> list[tuple[str, bytes]]:
    """Every record (key, value and headers) of every topic of this run, to its end offset."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    assert names, "no topics for this run"
    partitions = [
        TopicPartition(topic["topic"], part["partition"])
        for topic in described
        for part in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[tuple[str, bytes]] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        left = {tp for tp, end in ends.items() if end > 0}
        async with asyncio.timeout(120):
            while left:
                batch = await consumer.getmany(*left, timeout_ms=1000)
                for tp, messages in batch.items():
                    for m in messages:
                        headers = b"".join(k.encode() + v for k, v in m.headers or ())
                        found.append((tp.topic, (m.key or b"") + (m.value or b"") + headers))
                for tp in list(left):
                    if await consumer.position(tp) >= ends[tp]:
                        left.discard(tp)
    finally:
        await consumer.stop()
    return found
