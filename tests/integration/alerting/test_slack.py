"""Slack sinks against a real loopback emulator of the Slack Web API and incoming webhooks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from services.alerting.sinks import (
    PermanentDeliveryError,
    RetryPolicy,
    SlackApiSink,
    SlackSink,
    SqliteSlackStore,
    build_sinks,
)
from shared.records import SourceRef
from tests.integration.alerting.slack_emulator import TOKEN, SlackEmulator, serve_slack
from tests.unit.alerting.builders import alert

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(max_attempts=3, max_elapsed_s=10, base_delay_s=0.001, max_delay_s=0.01)


def huge_alert(version: int = 1):  # type: ignore[no-untyped-def]
    sources = tuple(
        SourceRef(f"https://outlet{i}.example/{'x' * 300}", "T" * 500, "P" * 200, str(i))
        for i in range(50)
    )
    return replace(alert(version), summary="S" * 10_000, rule="r" * 64, sources=sources)


async def test_web_api_posts_then_update_edits_the_same_ts(tmp_path: Path) -> None:
    emulator = SlackEmulator()
    async with serve_slack(emulator) as base:
        store_path = tmp_path / "slack.sqlite"
        sink = SlackApiSink(
            TOKEN, "C1", base_url=f"{base}/api", policy=FAST, store=SqliteSlackStore(store_path)
        )
        await sink.deliver(alert(version=1))
        await sink.aclose()
        # A restart: a new sink over the same store still edits the original message.
        sink = SlackApiSink(
            TOKEN, "C1", base_url=f"{base}/api", policy=FAST, store=SqliteSlackStore(store_path)
        )
        await sink.deliver(alert(version=2))
        await sink.aclose()
    assert [m for m, _ in emulator.calls] == ["chat.postMessage", "chat.update"]
    (ts,) = emulator.messages
    assert emulator.calls[1][1]["ts"] == ts and emulator.messages[ts]["edits"] == 1
    assert "UPDATE v2" in emulator.messages[ts]["blocks"][0]["text"]["text"]


async def test_web_api_thread_mode_replies_in_the_thread() -> None:
    emulator = SlackEmulator()
    async with serve_slack(emulator) as base:
        sink = SlackApiSink(TOKEN, "C1", base_url=f"{base}/api", update="thread", policy=FAST)
        await sink.deliver(alert(version=1))
        await sink.deliver(alert(version=2))
        await sink.aclose()
    first_ts = next(iter(emulator.messages))
    assert [m for m, _ in emulator.calls] == ["chat.postMessage", "chat.postMessage"]
    assert emulator.calls[1][1]["thread_ts"] == first_ts


async def test_oversized_alert_is_truncated_under_slack_limits() -> None:
    emulator = SlackEmulator()
    async with serve_slack(emulator) as base:
        api = SlackApiSink(TOKEN, "C1", base_url=f"{base}/api", policy=FAST)
        hook = SlackSink(f"{base}/services/hook", policy=FAST)
        await api.deliver(huge_alert(1))
        await api.deliver(huge_alert(2))
        await hook.deliver(huge_alert(1))
        await api.aclose()
        await hook.aclose()
    assert emulator.rejected == []
    assert len(emulator.messages) == 1 and len(emulator.webhook_posts) == 1
    text = str(emulator.webhook_posts[0]["blocks"])
    assert "more" in text  # sources beyond what fits are summarised, not dropped silently


async def test_bad_token_is_permanent_and_factory_builds_the_api_sink() -> None:
    emulator = SlackEmulator()
    async with serve_slack(emulator) as base:
        sinks = build_sinks(
            {
                "desk": {
                    "type": "slack_api",
                    "token": "wrong",
                    "channel": "C1",
                    "base_url": f"{base}/api",
                    "max_attempts": 1,
                }
            }
        )
        sink = sinks["desk"]
        assert "wrong" not in repr(sink)
        with pytest.raises(PermanentDeliveryError, match="invalid_auth"):
            await sink.deliver(alert())
        await sink.aclose()  # type: ignore[attr-defined]
