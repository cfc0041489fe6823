"""A real loopback HTTP server that emulates the Slack Web API (chat.postMessage, chat.update)
and an incoming webhook, enforcing Slack's size limits the way Slack rejects messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from tests.support.aio import serve_app

TOKEN = "xoxb-test-token"


def too_big(payload: dict[str, Any]) -> str | None:
    blocks = payload.get("blocks", [])
    if len(blocks) > 50 or len(payload.get("text", "")) > 40_000:
        return "msg_too_long"
    for block in blocks:
        text = block.get("text", {}).get("text", "")
        limit = 150 if block["type"] == "header" else 3000
        if len(text) > limit:
            return "invalid_blocks"
        for element in block.get("elements", []):
            if len(element.get("text", "")) > 2000:
                return "invalid_blocks"
    return None


@dataclass
class SlackEmulator:
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> message
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    webhook_posts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        payload = orjson.loads(await request.read())
        self.calls.append((method, payload))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer({"ok": False, "error": "invalid_auth"})
        if error := too_big(payload):
            self.rejected.append(error)
            return self._answer({"ok": False, "error": error})
        if method == "chat.postMessage":
            ts = f"1700000000.{len(self.messages) + 1:06d}"
            self.messages[ts] = {**payload, "ts": ts, "edits": 0}
            return self._answer({"ok": True, "channel": payload["channel"], "ts": ts})
        if method == "chat.update":
            if payload["ts"] not in self.messages:
                return self._answer({"ok": False, "error": "message_not_found"})
            old = self.messages[payload["ts"]]
            self.messages[payload["ts"]] = {**old, **payload, "edits": old["edits"] + 1}
            return self._answer({"ok": True, "channel": payload["channel"], "ts": payload["ts"]})
        return self._answer({"ok": False, "error": "unknown_method"})

    async def webhook(self, request: web.Request) -> web.Response:
        payload = orjson.loads(await request.read())
        if error := too_big(payload):
            self.rejected.append(error)
            return web.Response(status=400, text=error)
        self.webhook_posts.append(payload)
        return web.Response(text="ok")

    @staticmethod
    def _answer(body: dict[str, Any]) -> web.Response:
        return web.Response(body=orjson.dumps(body), content_type="application/json")


@asynccontextmanager
async def serve_slack(emulator: SlackEmulator) -> AsyncIterator[str]:
    """Yields the base URL; the API is at <base>/api, the webhook at <base>/services/hook."""
    app = web.Application()
    app.router.add_post("/api/{method}", emulator.api)
    app.router.add_post("/services/hook", emulator.webhook)
    async with serve_app(app) as url:
        yield url
