"""Slack incoming-webhook sink: one message per alert version, with links to every source.

Slack has no idempotency key, so exactly-once rests on the dispatcher's delivery log. Messages
are capped well under Slack's limits (a grouped alert with many sources must still post).
"""

from __future__ import annotations

from typing import Any

import orjson

from services.alerting.sinks.http import HttpPoster, RetryPolicy, Sleep
from shared.records import Alert

_ICON = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}
MAX_TEXT = 2900  # a section block's text is limited to 3000 characters
MAX_LINKS = 10


def slack_message(alert: Alert) -> dict[str, Any]:
    tag = "NEW" if alert.version == 1 else f"UPDATE v{alert.version}"
    head = f"{_ICON.get(alert.severity, '')} *{tag}* [{alert.severity}] {alert.summary}"
    links = [
        f"• <{s.url}|{_escape(s.title or s.url)}> ({_escape(s.publisher or '?')})"
        for s in alert.sources[:MAX_LINKS]
        if s.url
    ]
    if len(alert.sources) > MAX_LINKS:
        links.append(f"… and {len(alert.sources) - MAX_LINKS} more")
    text = "\n".join([_escape(head), *links])[:MAX_TEXT]
    return {
        "text": f"[{alert.severity}] {alert.summary}"[:MAX_TEXT],  # notification fallback
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSink:
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
