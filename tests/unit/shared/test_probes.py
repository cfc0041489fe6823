"""A worker's probes: /live (liveness) and /health = /ready (readiness) are distinct.

Liveness says "restart me" only when a restart can help (the app crashed); a worker that is
merely waiting (starting, rebalancing, broker away) is live but not ready. The integration
side, over a real broker: tests/integration/stage/test_probes.py."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from shared.kafka.app import liveness, make_app, readiness
from shared.settings import Settings


async def _get(app: object, *paths: str) -> dict[str, tuple[int, dict[str, object]]]:
    web = app.web  # type: ignore[attr-defined]
    web.init_server()
    answers = {}
    async with TestClient(TestServer(web.web_app)) as client:
        for path in paths:
            response = await client.get(path)
            answers[path] = (response.status, await response.json())
    return answers


def test_a_worker_that_has_not_started_is_live_but_not_ready(tmp_path: Path) -> None:
    app = make_app("cleaner", Settings(state_dir=tmp_path))
    assert liveness(app)["live"] is True
    assert readiness(app)["ready"] is False
    answers = asyncio.run(_get(app, "/live", "/health", "/ready"))
    assert answers["/live"] == (
        200, {"service": "cleaner", "live": True, "crashed": False, "crash_reason": None}
    )
    assert answers["/health"][0] == answers["/ready"][0] == 503
    assert answers["/health"][1] == answers["/ready"][1]
    assert answers["/health"][1]["ready"] is False


def test_a_crashed_worker_is_not_live(tmp_path: Path) -> None:
    app = make_app("enricher", Settings(state_dir=tmp_path))

    async def crash_then_probe() -> dict[str, tuple[int, dict[str, object]]]:
        await app.crash(RuntimeError("secret detail /var/lib/x"))
        return await _get(app, "/live", "/health")

    answers = asyncio.run(crash_then_probe())
    status, body = answers["/live"]
    assert status == 503 and body["live"] is False and body["crashed"] is True
    # The type of the failure only: the port answers without authentication.
    assert body["crash_reason"] == "RuntimeError"
    assert "secret" not in str(body)
    assert answers["/health"][0] == 503


def test_the_broker_watch_says_unreachable_when_nothing_answers() -> None:
    from shared.kafka.app import BrokerWatch

    watch = BrokerWatch("127.0.0.1:1", period_s=0.05, timeout_s=0.5)

    async def go() -> None:
        task = asyncio.create_task(watch.run())
        for _ in range(100):
            if not watch.ok:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert watch.ok is False
