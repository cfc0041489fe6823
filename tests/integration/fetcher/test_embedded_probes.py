"""Embedded mode's probes on a real loopback server (`serve_intake`, as `frontwire run` starts
it): /health and /ready follow the process's readiness, /live its liveness, /metrics is the
Prometheus text, and all of them refuse a foreign Host or Origin like the rest of the port."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.fetcher.intake import PushIntake
from services.fetcher.intake_aiohttp import serve_intake
from shared.records import RawArticle
from shared.settings import load_settings


async def _drop(_article: RawArticle) -> None:
    raise AssertionError("no article is pushed here")


@pytest.mark.asyncio
async def test_probes_follow_the_state_behind_the_guard() -> None:
    settings = load_settings(web_port=0)
    state: dict[str, Any] = {"ready": False, "live": True}
    runner = await serve_intake(settings, PushIntake(settings, _drop), state=lambda: state)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            starting = await client.get("/health")
            assert starting.status_code == 503
            assert starting.json() == {"service": "embedded", "ready": False, "live": True}
            assert (await client.get("/live")).status_code == 200  # alive while not ready
            state["ready"] = True
            for path in ("/health", "/ready", "/live"):
                assert (await client.get(path)).status_code == 200, path
            metrics = await client.get("/metrics")
            assert metrics.status_code == 200
            assert "# TYPE frontwire_messages_in_total counter" in metrics.text
            for headers in ({"Host": "rebound.example"}, {"Origin": "https://evil.example"}):
                for path in ("/metrics", "/health", "/live"):
                    refused = await client.get(path, headers=headers)
                    assert refused.status_code == 403, (path, headers)
                    assert "frontwire_" not in refused.text
            assert (await client.post("/metrics")).status_code == 405
    finally:
        await runner.cleanup()
