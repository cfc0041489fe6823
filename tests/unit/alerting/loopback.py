"""Real HTTP receivers on 127.0.0.1 (ephemeral ports) for the webhook tests — no mocks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from services.alerting.sinks import verify_signature
from tests.support.aio import serve_app


@dataclass
class Receiver:
    """A webhook receiver that fails the first `fail_first` calls with `fail_status`,
    verifies signatures when given a secret, and dedupes by Idempotency-Key."""

    fail_first: int = 0
    fail_status: int = 500
    retry_after: str | None = None
    secret: str | None = None
    calls: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    bad_signatures: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        body = await request.read()
        self.headers.append(dict(request.headers))
        if self.calls <= self.fail_first:
            extra = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=self.fail_status, text="nope", headers=extra)
        if self.secret is not None and not self._signed(request, body):
            self.bad_signatures += 1
            return web.Response(status=401, text="bad signature")
        key = request.headers["Idempotency-Key"]
        if key not in self.keys:  # what a well-behaved receiver does with a repeated key
            self.keys.add(key)
            self.accepted.append(orjson.loads(body))
        return web.Response(status=202)

    def _signed(self, request: web.Request, body: bytes) -> bool:
        assert self.secret is not None
        return verify_signature(
            self.secret,
            request.headers.get("X-Frontwire-Timestamp", ""),
            request.headers.get("Idempotency-Key"),
            body,
            request.headers.get("X-Frontwire-Signature", ""),
            tolerance_s=300,
        )


@asynccontextmanager
async def serve(receiver: Receiver) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    async with serve_app(app) as url:
        yield f"{url}/hook"
