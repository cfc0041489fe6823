"""Kafka adapter for the fetcher: polls feeds on the leader, takes pushed articles anywhere.

Only the group leader polls (a faust leader timer), so N fetcher instances do not fetch the
same feed N times; every instance accepts ``POST /articles``.
"""

from __future__ import annotations

import time
from typing import Any

import faust
import orjson
from faust.web import View

from services.bootstrap import build_fetcher, state_path
from services.fetcher.poller import FeedPoller, push_article
from services.fetcher.sources import Source, load_sources
from services.fetcher.state import SqliteFetchState
from shared.codec import encode
from shared.kafka import TopicMap
from shared.observability import MESSAGES_OUT, get_logger
from shared.records import RawArticle
from shared.settings import Settings
from shared.stamps import stamp

log = get_logger(__name__)

MAX_PUSH_BYTES = 5_000_000


def register(app: faust.App, settings: Settings, topics: TopicMap) -> None:
    raw_topic = app.topic(topics.raw)
    sources = load_sources(settings.feeds_file)
    due: dict[str, float] = {s.url: 0.0 for s in sources}
    holder: dict[str, FeedPoller] = {}

    async def emit(article: RawArticle) -> None:
        await raw_topic.send(key=article.id.encode(), value=encode(article))
        MESSAGES_OUT.labels("fetcher").inc()

    def poller() -> FeedPoller:
        # Built lazily inside the worker's event loop (httpx clients bind to it).
        if "p" not in holder:
            state = SqliteFetchState(state_path(settings, "fetcher.sqlite"))
            holder["p"] = FeedPoller(build_fetcher(settings), state)
        return holder["p"]

    @app.timer(interval=1.0, on_leader=True, name="frontwire.fetcher_poll")
    async def poll_due_sources() -> None:
        now = time.monotonic()
        for source in [s for s in sources if due[s.url] <= now]:
            due[source.url] = now + source.interval_s
            await _poll_one(poller(), source, emit)

    @app.page("/articles")
    class PushArticle(View):
        """POST an article (JSON {url, html|text, title} or a bare HTML/text body)."""

        async def post(self, request: Any) -> Any:
            if not _authorised(settings, request.headers.get("Authorization", "")):
                return self.json({"error": "missing or wrong bearer token"}, status=401)
            body = await request.content.read(MAX_PUSH_BYTES + 1)
            if len(body) > MAX_PUSH_BYTES:
                return self.json({"error": f"larger than {MAX_PUSH_BYTES} bytes"}, status=413)
            try:
                article = _pushed(body, request.headers.get("Content-Type", ""))
            except ValueError as exc:
                return self.json({"error": str(exc)}, status=400)
            await emit(article)
            return self.json({"id": article.id}, status=202)


async def _poll_one(poller: FeedPoller, source: Source, emit: Any) -> None:
    for article in await poller.poll(source):
        await emit(article)


def _authorised(settings: Settings, header: str) -> bool:
    if settings.push_token is None:
        return True
    return header == f"Bearer {settings.push_token.get_secret_value()}"


def _pushed(body: bytes, content_type: str) -> RawArticle:
    """JSON {url, html|text, title} or a bare HTML/text body."""
    if content_type.startswith("application/json"):
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        text = obj.get("html") or obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(text, str):
            raise ValueError("expected an object with 'html' or 'text'")
        kind = "text/html" if obj.get("html") else "text/plain"
        article = push_article(obj.get("url"), text, kind, title=obj.get("title"))
    else:
        kind = "text/html" if "html" in content_type else "text/plain"
        article = push_article(None, body.decode("utf-8", errors="replace"), kind)
    return article if "fetched" in article.stamps else stamp(article, "fetched")
