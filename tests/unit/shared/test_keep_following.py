"""A follower that fails (the broker down at start, a lost connection) is retried, not fatal."""

from __future__ import annotations

import asyncio

import pytest

from shared.kafka.follow import TopicFollower, keep_following


def test_a_failed_follow_is_logged_and_retried_until_cancelled() -> None:
    runs: list[int] = []

    class Flaky(TopicFollower):
        async def run(self) -> None:
            runs.append(1)
            if len(runs) < 3:
                raise ConnectionError("broker down")
            await asyncio.Event().wait()  # following, until cancelled

    async def go() -> None:
        task = asyncio.create_task(keep_following(
            lambda: Flaky("127.0.0.1:1", "t", lambda k, v: None), retry_s=0.01))
        while len(runs) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert len(runs) == 3
