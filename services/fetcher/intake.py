"""Articles that come to us: ``POST /articles`` (pushed articles) and ``/websub/{key}``
(WebSub intent verification GET and content distribution POST), runtime-neutral.

Each handler takes an `Incoming` request (method, path, headers, query and a bounded body
reader) and returns a `Reply` (status and JSON or text); it emits articles through an
``emit(RawArticle)`` coroutine. Thin adapters serve them: faust views in Kafka mode
(services/fetcher/intake_faust.py) and an aiohttp app in embedded mode
(services/fetcher/intake_aiohttp.py).

Both run behind the request guard of shared/web_guard.py: a foreign ``Host`` or ``Origin`` is
refused (403) before anything else, so no web page can push articles (and so fake alerts)
through the loopback port; a push must be JSON or HTML (415 otherwise), types a page can only
send cross-site after a CORS preflight these endpoints never grant; and WebSub callbacks,
which only hubs (servers) call, refuse any request that carries an Origin at all.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson

from services.fetcher.feed_formats import FeedError
from services.fetcher.metrics import PUSHES, WEBSUB
from services.fetcher.poller import FeedPoller, push_article
from services.fetcher.sources import Source
from services.fetcher.websub import Subscriber
from shared.errors import InputError
from shared.observability import get_logger
from shared.records import RawArticle
from shared.settings import Settings
from shared.stamps import stamp
from shared.web_guard import JSON_TYPES, Refusals, RequestPolicy, media_type, same_secret

log = get_logger(__name__)

MAX_PUSH_BYTES = 5_000_000
MAX_WEBSUB_BYTES = 5_000_000
MAX_URL_CHARS = 4096
MAX_TITLE_CHARS = 2000
PUSH_TYPES = JSON_TYPES | {"text/html"}
_REFUSALS = Refusals("fetcher")
Emitter = Callable[[RawArticle], Awaitable[None]]


class TooLarge(InputError):
    """A pushed body over the size limit (answered 413)."""


class BadPush(InputError, ValueError):
    """A pushed body that is no article we can take (answered 400)."""


class Stream(Protocol):
    async def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Incoming:
    """What the handlers need of a request. ``read(limit)`` returns the whole body, or raises
    TooLarge past ``limit`` bytes; it is called only once the request passed the guard."""

    method: str
    path: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    read: Callable[[int], Awaitable[bytes]]


@dataclass(frozen=True)
class Reply:
    status: int
    json: dict[str, Any] | None = None  # a JSON body, else ``text``
    text: str = ""


async def read_limited(headers: Mapping[str, str], content: Stream, limit: int) -> bytes:
    """The whole request body, or TooLarge past ``limit`` bytes (declared or streamed)."""
    declared = headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    body = bytearray()
    while chunk := await content.read(65_536):
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


def refused(policy: RequestPolicy, request: Incoming) -> Reply | None:
    """The 403/415 answer for a request the guard refuses, or None to go on."""
    refusal = policy.refusal(request.method, request.headers)
    if refusal is None:
        return None
    _REFUSALS.record(refusal, request.method, request.path, request.headers)
    if request.path == "/articles":
        PUSHES.labels("refused").inc()
    return Reply(refusal.status, {"error": refusal.message})


class PushIntake:
    """``POST /articles``: an article as JSON {url, html|text, title} or a bare HTML body."""

    def __init__(self, settings: Settings, emit: Emitter) -> None:
        self.settings = settings
        self.emit = emit
        self.policy = RequestPolicy.from_settings(settings, body_types=PUSH_TYPES)

    async def post(self, request: Incoming) -> Reply:
        if (refusal := refused(self.policy, request)) is not None:
            return refusal
        if not authorised(self.settings, request.headers.get("Authorization", "")):
            PUSHES.labels("unauthorised").inc()
            return Reply(401, {"error": "missing or wrong bearer token"})
        try:
            body = await request.read(MAX_PUSH_BYTES)
            article = pushed(body, request.headers.get("Content-Type", ""))
        except TooLarge:
            PUSHES.labels("too_large").inc()
            return Reply(413, {"error": f"larger than {MAX_PUSH_BYTES} bytes"})
        except ValueError as exc:  # BadPush, or push_article's own ValueError
            PUSHES.labels("invalid").inc()
            return Reply(400, {"error": str(exc)})
        await self.emit(article)
        PUSHES.labels("accepted").inc()
        return Reply(202, {"id": article.id})


def authorised(settings: Settings, header: str) -> bool:
    """Open when no push token is configured (loopback only, see `check_exposure`); else
    ``Authorization: Bearer <token>``. Never raises, whatever bytes the header holds."""
    if settings.push_token is None:
        return True
    return same_secret(header, f"Bearer {settings.push_token.get_secret_value()}")


def pushed(body: bytes, content_type: str) -> RawArticle:
    """JSON {url, html|text, title} or a bare HTML/text body; BadPush (400) for anything
    else, including fields of the wrong type."""
    if media_type(content_type) == "application/json":
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadPush(f"not JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise BadPush("expected an object with 'html' or 'text'")
        html, text = _field(obj, "html", MAX_PUSH_BYTES), _field(obj, "text", MAX_PUSH_BYTES)
        if not (html or text):
            raise BadPush("expected an object with 'html' or 'text'")
        url = _field(obj, "url", MAX_URL_CHARS)
        if url and not _http_url(url):
            raise BadPush("url: expected an absolute http(s) URL")
        title = _field(obj, "title", MAX_TITLE_CHARS)
        kind = "text/html" if html else "text/plain"
        article = push_article(url or None, html or text or "", kind, title=title)
    else:
        kind = "text/html" if "html" in content_type else "text/plain"
        article = push_article(None, body.decode("utf-8", errors="replace"), kind)
    return article if "fetched" in article.stamps else stamp(article, "fetched")


def _field(obj: dict[str, Any], name: str, limit: int) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadPush(f"{name}: expected a string")
    if len(value) > limit:
        raise BadPush(f"{name}: longer than {limit} characters")
    return value


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def make_subscriber(settings: Settings) -> Subscriber | None:
    """WebSub needs a callback URL the hubs can reach (``FRONTWIRE_WEBSUB_CALLBACK_BASE``) and
    one master secret shared by all instances (``FRONTWIRE_WEBSUB_SECRET``, else the push
    token; a random one only works while a single instance serves the callbacks)."""
    base = settings.websub_callback_base
    if not base:
        return None
    secret = settings.websub_secret or settings.push_token
    master = secret.get_secret_value() if secret else os.urandom(32).hex()
    return Subscriber(master.encode(), base)


class WebSubIntake:
    """``GET /websub/{key}`` answers the hub's intent verification; ``POST`` takes signed
    content, answered at once (202) and ingested in the background: the feed's new items
    are fetched and handed to ``emit`` one by one."""

    def __init__(
        self, settings: Settings, sub: Subscriber, sources: Sequence[Source],
        poller: Callable[[], FeedPoller], emit: Emitter,
    ) -> None:
        self.sub = sub
        self.poller = poller
        self.emit = emit
        self.by_url = {s.url: s for s in sources}
        self.tasks: set[asyncio.Task[None]] = set()
        # Hubs call back on the callback base's name; they are servers, so no Origin, any type.
        callback_host = urlsplit(sub.callback_base).hostname or ""
        self.policy = RequestPolicy.from_settings(
            settings, callback_host, body_types=None, browsers=False
        )

    async def get(self, key: str, request: Incoming) -> Reply:
        if (refusal := refused(self.policy, request)) is not None:
            return refusal
        status, text = self.sub.intent(key, request.query)
        WEBSUB.labels("verified" if status == 200 else "denied").inc()
        return Reply(status, text=text)

    async def post(self, key: str, request: Incoming) -> Reply:
        if (refusal := refused(self.policy, request)) is not None:
            return refusal
        try:
            body = await request.read(MAX_WEBSUB_BYTES)
        except TooLarge:
            return Reply(413, text="too large")
        topics = {self.sub.key(t): t for _, t in self.poller().hubs.values()}
        status, topic = self.sub.delivery(key, body, request.headers, topics)
        WEBSUB.labels("delivered" if topic else "bad_signature").inc()
        if topic is not None:
            task = asyncio.create_task(self.ingest(topic, body))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return Reply(status)

    async def ingest(self, topic: str, body: bytes) -> None:
        source = self.by_url.get(topic) or Source(name=topic, url=topic)
        try:  # handed on one by one: an article is seen only once it has been emitted
            await self.poller().ingest(source, body, topic, self.emit)
        except FeedError as exc:
            log.warning("websub_bad_content", topic=topic, error=str(exc))
        except Exception:  # a background task: nobody else would see it
            log.exception("websub_ingest_failed", topic=topic)

    async def aclose(self) -> None:
        """Cancel ingests under way (what they did not hand on is not marked seen)."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
