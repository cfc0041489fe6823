"""Slack: Block Kit messages (built with `slack_sdk.models.blocks`) through an incoming
webhook (`SlackSink`) or the Web API with a bot token (`SlackApiSink`, see slack_api.py).

Slack has no idempotency key, so exactly-once rests on the dispatcher's delivery log. Every
part of a message is capped under Slack's limits (header 150 characters, section 3,000,
fallback text 3,000 here though Slack allows 40,000, at most 50 blocks): a grouped alert with
many long-titled sources is truncated, never rejected.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

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
MAX_TITLE = 200
MAX_PUBLISHER = 80
# One link may take at most this much of the links section, so a hostile ~2,900-character URL
# cannot push every other source out of the message; a longer one is shown unlinked.
MAX_URL = 500
# Everything of a URL but what RFC 3986 allows is percent-encoded: "<", ">" and "|" would end
# Slack's <url|text>, spaces and controls break it; "%" stays so encoded URLs stay as they are.
_URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")

# Everything an article, feed, redirect or push supplies (titles, URLs, publishers, the
# summary built from article text) is hostile: Slack's mrkdwn turns "<!channel>", "<@U1>",
# "<#C1>" and "<https://x|text>" into live mentions and links. So every such field is
# escaped (& < > as entities, which Slack shows literally), URLs are percent-encoded and
# bounded, text is cut *before* escaping (a cut entity would show as "&a…"), and mrkdwn
# objects are `verbatim` so Slack does not auto-link bare URLs or names in them either.


def slack_blocks(alert: Alert) -> list[Block]:
    tag = "NEW" if alert.version == 1 else f"UPDATE v{alert.version}"
    head = f"{tag} [{alert.severity}] {alert.rule}"  # plain_text: Slack parses no markup there
    icon = _ICON.get(alert.severity, "")
    summary = f"{icon} {fit(alert.summary, MAX_TEXT - len(icon) - 1)}"
    meta = f"alert `{fit(alert.alert_id, 64)}` · version {alert.version} · " \
        f"{len(alert.sources)} source(s)"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_cut(_one_line(head), MAX_HEADER))),
        SectionBlock(text=_mrkdwn(summary)),
    ]
    if links := _links(alert):
        blocks.append(SectionBlock(text=_mrkdwn(links)))
    blocks.append(ContextBlock(elements=[_mrkdwn(_cut(meta, MAX_CONTEXT))]))
    return blocks


def slack_message(alert: Alert) -> dict[str, Any]:
    return {
        # The notification fallback is mrkdwn too: escaped like the blocks.
        "text": fit(f"[{alert.severity}] {alert.summary}", MAX_TEXT),
        "blocks": [block.to_dict() for block in slack_blocks(alert)],
    }


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def _links(alert: Alert) -> str:
    """Up to MAX_LINKS source lines, whole lines only, within MAX_TEXT."""
    lines: list[str] = []
    size = 0
    shown = [s for s in alert.sources if s.url][:MAX_LINKS]
    for source in shown:
        title = fit(source.title or source.url, MAX_TITLE)
        publisher = fit(source.publisher or "?", MAX_PUBLISHER)
        url = slack_url(source.url)
        link = f"<{url}|{title}>" if url is not None else f"{title} (link not shown)"
        line = f"• {link} ({publisher})"
        if size + len(line) + 1 > MAX_TEXT - 40:
            break
        lines.append(line)
        size += len(line) + 1
    if hidden := len(alert.sources) - len(lines):
        lines.append(f"… and {hidden} more")
    return "\n".join(lines) if shown else ""


def slack_url(url: str) -> str | None:
    """``url`` ready for Slack's ``<url|text>``: an absolute http(s) URL, percent-encoded
    where RFC 3986 does not allow a character, & escaped; None when it is not such a URL or
    is longer than MAX_URL (then it is not linked at all)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    encoded = quote(url.strip(), safe=_URL_SAFE).replace("&", "&amp;")
    return encoded if len(encoded) <= MAX_URL else None


def fit(text: str, limit: int) -> str:
    """``text`` on one line, escaped for mrkdwn, at most ``limit`` characters: cut first
    (with "…"), then escaped, so an entity is never split."""
    clean = _one_line(text)
    escaped = _escape(clean)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    for char in clean:
        piece = _ESCAPES.get(char, char)
        if size + len(piece) > limit - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "…"


def _one_line(text: str) -> str:
    # Line breaks would let a title forge extra lines (a fake source); controls show as junk.
    flat = _BREAKS.sub(" ", text)
    return "".join(c for c in flat if unicodedata.category(c) != "Cc")


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
