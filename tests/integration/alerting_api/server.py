"""The real API server on 127.0.0.1 (ephemeral port), in a thread with its own event loop,
for callers that are synchronous (the CLI, Selenium)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from services.alerting.api import api_hub, bound_port, make_api, start_api
from services.alerting.history import AlertEntry, MemoryAlertHistory
from services.alerting.silences import Silences
from shared.records import Alert


class ThreadedApi:
    def __init__(self, alerts: Iterable[Alert] = (), *, token: str | None = None, **kw: Any):
        self.history = MemoryAlertHistory()
        for alert in alerts:
            self.history.add(alert)
        self.silences = Silences()
        self.token = token
        self._kw = kw
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        self.url = ""

    def __enter__(self) -> ThreadedApi:
        self._thread.start()
        self._runner = self._call(self._start())
        self.url = f"http://127.0.0.1:{bound_port(self._runner)}"
        return self

    async def _start(self) -> web.AppRunner:
        self.app = make_api(self.history, self.silences, token=self.token, **self._kw)
        return await start_api(self.app, "127.0.0.1", 0)

    def publish(self, alert: Alert) -> AlertEntry | None:
        """Publish on the server's loop (the hub is not thread-safe) and wait until done."""
        assert self.app is not None
        hub = api_hub(self.app)

        async def run() -> AlertEntry | None:
            return hub.publish(alert)

        return self._call(run())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            self._call(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
