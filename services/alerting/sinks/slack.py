"""Slack: Block Kit messages (built with `slack_sdk.models.blocks`) through an incoming
webhook (`SlackSink`) or the Web API with a bot token (`SlackApiSink`, see slack_api.py).

Slack has no idempotency key, so exactly-once rests on the dispatcher's delivery log. Every
part of a message is capped under Slack's limits (header 150 characters, section 3,000,
fallback text 3,000 here though Slack allows 40,000, at most 50 blocks): a grouped alert with
many long-titled sources is truncated, never rejected.
"""

from __future__ import annotations

from typing import Any

import orjson
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from services.alerting.sinks.http import HttpPoster, RetryPolicy, Sleep
from shared.records import Alert

_ICON = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}
MAX_HEADER = 150
MAX_TEXT = 2900  # a section block's text is limited to 3000 characters
MAX_CONTEXT = 1900  # a context element's text: 2000
MAX_LINKS = 10


def slack_blocks(alert: Alert) -> list[Block]:
    tag = "NEW" if alert.version == 1 else f"UPDATE v{alert.version}"
    head = f"{tag} [{alert.severity}] {alert.rule}"
    summary = f"{_ICON.get(alert.severity, '')} {_escape(alert.summary)}"
    meta = f"alert `{alert.alert_id}` · version {alert.version} · {len(alert.sources)} source(s)"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_cut(head, MAX_HEADER))),
        SectionBlock(text=MarkdownTextObject(text=_cut(summary, MAX_TEXT))),
    ]
    if links := _links(alert):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=links)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_cut(meta, MAX_CONTEXT))]))
    return blocks


def slack_message(alert: Alert) -> dict[str, Any]:
    return {
        "text": _cut(f"[{alert.severity}] {alert.summary}", MAX_TEXT),  # notification fallback
        "blocks": [block.to_dict() for block in slack_blocks(alert)],
    }


def _links(alert: Alert) -> str:
    """Up to MAX_LINKS source lines, whole lines only, within MAX_TEXT."""
    lines: list[str] = []
    size = 0
    shown = [s for s in alert.sources if s.url][:MAX_LINKS]
    for source in shown:
        title = _cut(_escape(source.title or source.url), 200)
        line = f"• <{source.url}|{title}> ({_escape(_cut(source.publisher or '?', 80))})"
        if size + len(line) + 1 > MAX_TEXT - 40:
            break
        lines.append(line)
        size += len(line) + 1
    if hidden := len(alert.sources) - len(lines):
        lines.append(f"… and {hidden} more")
    return "\n".join(lines) if shown else ""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSink:
    """Incoming webhook: one new message per alert version (webhooks cannot edit)."""

    def __init__(
        self,
        url: str,
        timeout: float = 5.0,
        *,
        name: str = "slack",
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.name = name
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self._poster = HttpPoster(url, name=name, timeout_s=timeout, policy=policy, **extra)

    def __repr__(self) -> str:
        return f"SlackSink(name={self.name!r})"  # the URL is a secret

    async def deliver(self, alert: Alert) -> None:
        body = orjson.dumps(slack_message(alert))
        headers = {"Content-Type": "application/json"}
        await self._poster.post(lambda: (body, headers))

    async def aclose(self) -> None:
        await self._poster.aclose()
