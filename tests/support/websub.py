"""An emulated WebSub hub on loopback: accepts subscriptions, verifies intent (challenge
echo) at the subscriber's callback, then distributes signed content to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiohttp import web

from services.fetcher.websub import sign
from tests.support.aio import serve_app


class Hub:
    """Accepts subscriptions, verifies intent (challenge echo), then can publish."""

    def __init__(self) -> None:
        self.subs: dict[str, dict[str, str]] = {}
        self.verified: list[bool] = []

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        asyncio.get_running_loop().create_task(self.verify(form))
        return web.Response(status=202)

    async def verify(self, form: dict[str, str]) -> None:
        params = {
            "hub.mode": "subscribe",
            "hub.topic": form["hub.topic"],
            "hub.challenge": "xyzzy-42",
            "hub.lease_seconds": "3600",
        }
        async with httpx.AsyncClient() as client:
            resp = await client.get(form["hub.callback"], params=params)
        ok = resp.status_code == 200 and resp.text == "xyzzy-42"
        self.verified.append(ok)
        if ok:
            self.subs[form["hub.topic"]] = form

    async def publish(self, topic: str, body: bytes, *, secret: str | None = None) -> int:
        form = self.subs[topic]
        headers = {
            "Content-Type": "application/rss+xml",
            "Link": f'<{self.url}>; rel="hub", <{topic}>; rel="self"',
            "X-Hub-Signature": sign(secret or form["hub.secret"], body, "sha256"),
        }
        async with httpx.AsyncClient() as client:
            resp = await client.post(form["hub.callback"], content=body, headers=headers)
        return resp.status_code

    url = ""


@asynccontextmanager
async def serve_hub() -> AsyncIterator[Hub]:
    """A `Hub` served at ``hub.url`` while the block runs."""
    hub = Hub()
    app = web.Application()
    app.router.add_post("/", hub.handle)
    async with serve_app(app) as url:
        hub.url = f"{url}/"
        yield hub


def websub_rss(hub: str, topic: str, links: list[str], titles: list[str] | None = None) -> str:
    """An RSS feed naming its hub and itself (``rel=self``), one item per link."""
    names = titles or links
    items = "".join(
        f"<item><title>{t}</title><link>{u}</link></item>"
        for t, u in zip(names, links, strict=True)
    )
    return (
        f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t'
        f'</title><atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{topic}"/>'
        f"{items}</channel></rss>"
    )
