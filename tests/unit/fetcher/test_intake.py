"""The push and WebSub handlers on their own, as both runtimes serve them: the guard first
(403 foreign Host/Origin, 415 wrong type; WebSub refusing any Origin), then the token (401),
the size limit (413), the body (400), and only then an article emitted."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, cast

import orjson
import pytest

from services.fetcher.intake import (
    MAX_PUSH_BYTES,
    Incoming,
    PushIntake,
    Reply,
    TooLarge,
    WebSubIntake,
    make_subscriber,
    read_limited,
)
from services.fetcher.sources import Source
from services.fetcher.websub import Subscriber, sign
from shared.records import RawArticle
from shared.settings import Settings
from tests.support.articles import deployment_article, push_body

pytestmark = pytest.mark.asyncio

TOKEN = "push-s3cret"
JSON = {"Host": "127.0.0.1:6066", "Content-Type": "application/json"}


def request(
    method: str, path: str, headers: Mapping[str, str], body: bytes = b"",
    query: Mapping[str, str] | None = None,
) -> Incoming:
    async def read(limit: int) -> bytes:
        if len(body) > limit:
            raise TooLarge
        return body

    return Incoming(method, path, headers, dict(query or {}), read)


def unread(method: str, path: str, headers: Mapping[str, str]) -> Incoming:
    """A request whose body must not be read (refused before it)."""

    async def read(limit: int) -> bytes:
        raise AssertionError("the body was read")

    return Incoming(method, path, headers, {}, read)


class Emitted(list[RawArticle]):
    async def __call__(self, article: RawArticle) -> None:
        self.append(article)


def article_bytes(index: int = 0) -> bytes:
    return orjson.dumps(push_body(deployment_article(index)))


async def test_a_push_with_the_token_is_emitted_once_and_answered_with_its_id() -> None:
    emitted = Emitted()
    push = PushIntake(Settings(push_token=TOKEN), emitted)
    headers = {**JSON, "Authorization": f"Bearer {TOKEN}"}
    reply = await push.post(request("POST", "/articles", headers, article_bytes()))
    assert reply.status == 202 and reply.json == {"id": emitted[0].id}
    assert len(emitted) == 1 and emitted[0].url == deployment_article(0)["url"]


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"Origin": "http://127.0.0.1:1"}, 403),  # a page on another origin
        ({"Origin": "null"}, 403),
        ({"Host": "evil.example"}, 403),  # a rebound name
        ({"Content-Type": "text/plain"}, 415),  # what a page may send without a preflight
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "multipart/form-data"}, 415),
        ({}, 401),  # no token
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": f"Bearer {TOKEN}\udcff"}, 401),  # undecodable bytes: no raise
    ],
)
async def test_refused_pushes_emit_nothing_and_never_read_the_body(
    extra: dict[str, str], status: int
) -> None:
    emitted = Emitted()
    push = PushIntake(Settings(push_token=TOKEN), emitted)
    reply = await push.post(unread("POST", "/articles", {**JSON, **extra}))
    assert reply.status == status and reply.json is not None and "error" in reply.json
    assert emitted == []


async def test_without_a_token_a_loopback_push_is_open_to_local_programs() -> None:
    emitted = Emitted()
    push = PushIntake(Settings(push_token=None), emitted)
    reply = await push.post(request("POST", "/articles", JSON, article_bytes()))
    assert reply.status == 202 and len(emitted) == 1
    html = {"Host": "localhost", "Content-Type": "text/html; charset=utf-8"}
    reply = await push.post(request("POST", "/articles", html, b"<p>Troops moved.</p>"))
    assert reply.status == 202 and emitted[1].content_type == "text/html"


async def test_too_large_and_invalid_pushes() -> None:
    emitted = Emitted()
    push = PushIntake(Settings(), emitted)
    big = request("POST", "/articles", JSON, b"x" * (MAX_PUSH_BYTES + 1))
    assert (await push.post(big)).status == 413
    bad = await push.post(request("POST", "/articles", JSON, b'{"url": 5, "text": "x"}'))
    assert bad.status == 400 and bad.json == {"error": "url: expected a string"}
    assert emitted == []


class Chunks:
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    async def read(self, n: int = -1, /) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""


async def test_read_limited_stops_at_the_declared_or_streamed_size() -> None:
    assert await read_limited({}, Chunks(b"ab", b"cd"), 4) == b"abcd"
    with pytest.raises(TooLarge):
        await read_limited({"Content-Length": "5"}, Chunks(), 4)
    with pytest.raises(TooLarge):
        await read_limited({"Content-Length": "2"}, Chunks(b"abc", b"de"), 4)


class FakePoller:
    """What the WebSub handler uses of the poller: the hubs found, and ingest."""

    def __init__(self, hubs: dict[str, tuple[str, str]]) -> None:
        self.hubs = hubs
        self.ingested: list[tuple[str, bytes, str]] = []

    async def ingest(self, source: Source, body: bytes, url: str, emit: Any) -> list[Any]:
        self.ingested.append((source.name, body, url))
        await emit(RawArticle(id="x", url=url, source=source.name, content_type="text/html",
                              body="<p>x</p>"))
        return []


TOPIC = "https://news.example/feed.xml"
CALLBACKS = "https://callbacks.example.org"


def websub(emitted: Emitted) -> tuple[WebSubIntake, Subscriber, FakePoller]:
    settings = Settings(websub_callback_base=CALLBACKS, websub_secret="master")
    sub = make_subscriber(settings)
    assert sub is not None
    poller = FakePoller({TOPIC: ("https://hub.example/", TOPIC)})
    intake = WebSubIntake(settings, sub, [Source("news", TOPIC)],
                          lambda: cast(Any, poller), emitted)
    return intake, sub, poller


async def test_websub_verifies_intent_and_ingests_signed_content_only() -> None:
    emitted = Emitted()
    intake, sub, poller = websub(emitted)
    key, hub = sub.key(TOPIC), {"Host": "callbacks.example.org"}
    query = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c-42"}
    assert await intake.get(key, request("GET", f"/websub/{key}", hub, query=query)) == Reply(
        200, text="c-42"
    )
    body = b"<rss/>"
    forged = {**hub, "X-Hub-Signature": sign("forged", body)}
    assert (await intake.post(key, request("POST", "/x", forged, body))).status == 403
    signed = {**hub, "X-Hub-Signature": sign(sub.secret(TOPIC), body)}
    assert (await intake.post("0" * 32, request("POST", "/x", signed, body))).status == 404
    assert (await intake.post(key, request("POST", "/x", signed, body))).status == 202
    await asyncio.gather(*intake.tasks)
    assert poller.ingested == [("news", body, TOPIC)] and len(emitted) == 1
    await intake.aclose()


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "callbacks.example.org", "Origin": CALLBACKS},  # hubs send no Origin
        {"Host": "evil.example"},
    ],
)
async def test_websub_refuses_pages_and_foreign_hosts(headers: dict[str, str]) -> None:
    intake, sub, poller = websub(Emitted())
    key = sub.key(TOPIC)
    assert (await intake.post(key, unread("POST", f"/websub/{key}", headers))).status == 403
    assert (await intake.get(key, unread("GET", f"/websub/{key}", headers))).status == 403
    assert poller.ingested == []
