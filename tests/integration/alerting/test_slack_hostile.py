"""Hostile text reaches a loopback Slack receiver inert: titles, URLs, publishers and summaries
carrying Slack's special sequences produce no live mention and no link but the sources' own.

What Slack would make of a message is read off the mrkdwn it receives, by Slack's rules: a
mention or link is a "<" ... ">" span (escaped "&lt;" is shown literally), and `verbatim`
mrkdwn is not auto-linked.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from services.alerting.sinks import RetryPolicy, SlackApiSink, SlackSink
from services.alerting.sinks.slack import MAX_URL
from shared.records import Alert, SourceRef
from tests.integration.alerting.slack_emulator import TOKEN, SlackEmulator, serve_slack
from tests.unit.alerting.builders import alert

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(max_attempts=2, max_elapsed_s=5, base_delay_s=0.001, max_delay_s=0.01)

# Slack's special sequences (https://api.slack.com/reference/surfaces/formatting), and the
# ways around a naive escape: entities, nesting, line breaks, bidi controls, "|" and ">".
CORPUS = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123|@oncall>", "<@U024BE7LH>",
    "<@W012A3CDE|boss>", "<#C024BE7LB|general>", "<!date^1392734382^{date_pretty}|Feb 18>",
    "<https://phish.example/login|Acknowledge here>", "<mailto:x@phish.example|mail>",
    "<tel:+15550100|call>", "<slack://open|open>", "&lt;!channel&gt;", "&amp;lt;!here&amp;gt;",
    "<<!channel>>", "<!channel|>", "|<!here>|", "a > b < c & d", "line\n<!channel>",
    "tab\t<@U1>", "\u202e<!here>\u202c", "\x1b[31m<!channel>\x1b[0m", "\u2028<!channel>",
    "*bold* _it_ ~strike~ `code` ```pre```", "@channel @here @everyone",
    "https://phish.example/bare", "&", "&amp;" * 700, "<" * 1500, "é<!here>ü",
]
HOSTILE_URLS = [
    "https://news.example/a><!channel> <https://phish.example/login|Acknowledge here>",
    "https://news.example/b|<!here>", "https://news.example/c?q=<@U1>&r=1#<#C1>",
    "https://news.example/d\n<!channel>", "https://news.example/e%3E%7C<!everyone>",
    "javascript:alert(1)//<!channel>", "https://news.example/" + "x" * 2900,
]
SPAN = re.compile(r"<([^<>]*)>")


def hostile_alerts() -> list[Alert]:
    base = alert()
    alerts = []
    for i, text in enumerate(CORPUS):
        sources = (
            SourceRef(f"https://news.example/{i}", text, text, f"a{i}"),
            SourceRef(HOSTILE_URLS[i % len(HOSTILE_URLS)], text, None, f"b{i}"),
        )
        alerts.append(replace(base, alert_id=f"{i:016x}", summary=text, sources=sources))
    # All hostile URLs in one alert: the 2,900-character one must not hide the others.
    many = tuple(SourceRef(u, f"t{n}", "p", f"u{n}") for n, u in enumerate(HOSTILE_URLS))
    alerts.append(replace(base, alert_id="f" * 16, summary="urls", sources=many))
    return alerts


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        objects = [block["text"]] if "text" in block else list(block.get("elements", []))
        for obj in objects:
            if obj["type"] == "mrkdwn":
                assert obj.get("verbatim") is True, obj  # no auto-linking of bare URLs
                texts.append(obj["text"])
            else:
                assert obj["type"] == "plain_text"  # Slack parses no markup in plain_text
    return texts


def check_inert(payload: dict[str, Any], sent: Alert) -> list[str]:
    """The links Slack would show (their hosts); fails on any mention or foreign link."""
    hosts = []
    own = {urlsplit(s.url).hostname for s in sent.sources}
    for text in mrkdwn_texts(payload):
        # An entity is never cut in half: each "&" starts one of the three Slack decodes.
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
        for span in SPAN.findall(text):
            url, sep, _label = span.partition("|")
            assert sep, f"bare <{span}> is a mention/command/link: {text!r}"
            assert not url.startswith(("!", "@", "#")), span
            parts = urlsplit(unquote(url.replace("&amp;", "&")))
            assert parts.scheme in ("http", "https") and parts.hostname in own, span
            assert len(url) <= MAX_URL
            hosts.append(parts.hostname)
    return hosts


async def test_hostile_fields_reach_slack_inert() -> None:
    emulator = SlackEmulator()
    alerts = hostile_alerts()
    async with serve_slack(emulator) as base:
        webhook = SlackSink(f"{base}/services/hook", policy=FAST)
        api = SlackApiSink(TOKEN, "C1", base_url=f"{base}/api", policy=FAST)
        for sent in alerts:
            await webhook.deliver(sent)
            await api.deliver(sent)
        await webhook.aclose()
        await api.aclose()
    assert emulator.rejected == []  # escaping never pushes a message over Slack's limits
    posted = [payload for method, payload in emulator.calls if method == "chat.postMessage"]
    assert len(emulator.webhook_posts) == len(posted) == len(alerts)
    links = 0
    for sent, hook, call in zip(alerts, emulator.webhook_posts, posted, strict=True):
        for payload in (hook, call):
            hosts = check_inert(payload, sent)
            assert "phish.example" not in hosts
            links += len(hosts)
    assert links > 0
    # The URL that once hid all others: every other http(s) source is still linked.
    last = emulator.webhook_posts[-1]
    assert check_inert(last, alerts[-1]).count("news.example") == len(HOSTILE_URLS) - 2
    assert "(link not shown)" in "".join(mrkdwn_texts(last))


async def test_escaping_is_what_slack_displays_back() -> None:
    """Decoding Slack's three entities gives the original text back (nothing else changes),
    for everything short enough not to be cut."""
    emulator = SlackEmulator()
    sent = replace(alert(), summary="a > b < c & <!here> *x*")
    async with serve_slack(emulator) as base:
        sink = SlackSink(f"{base}/services/hook", policy=FAST)
        await sink.deliver(sent)
        await sink.aclose()
    section = emulator.webhook_posts[0]["blocks"][1]["text"]["text"]
    shown = section.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown.endswith(" a > b < c & <!here> *x*")
