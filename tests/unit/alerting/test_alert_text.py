"""Alert text built for its medium: Slack mrkdwn escaping and bounds, terminal-safe lines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.alerting.sinks.slack import MAX_URL, fit, slack_message, slack_url
from services.alerting.sinks.stdout import format_json, format_text, terminal_safe
from shared.records import SourceRef
from tests.unit.alerting.builders import alert


def test_fit_cuts_before_escaping() -> None:
    assert fit("a&b", 10) == "a&amp;b"
    assert fit("&&&&", 10) == "&amp;…"  # never "&amp;&a…"
    assert fit("x" * 5 + "<", 6) == "xxxxx…"
    assert len(fit("<" * 1000, 100)) <= 100
    assert fit("one\nline\t<!here>", 100) == "one line &lt;!here&gt;"


@pytest.mark.parametrize(
    ("url", "slack"),
    [
        ("https://news.example/a?x=1&y=2", "https://news.example/a?x=1&amp;y=2"),
        ("https://news.example/a><!channel>|x", "https://news.example/a%3E%3C!channel%3E%7Cx"),
        ("https://news.example/a b\n", "https://news.example/a%20b"),
        ("https://news.example/%7C", "https://news.example/%7C"),
        ("https://news.example/é", "https://news.example/%C3%A9"),
        ("javascript:alert(1)", None),
        ("mailto:a@b.example", None),
        ("/relative", None),
        ("https://news.example/" + "x" * MAX_URL, None),
    ],
)
def test_slack_url(url: str, slack: str | None) -> None:
    assert slack_url(url) == slack


def test_the_fallback_text_is_escaped() -> None:
    message = slack_message(replace(alert(), summary="<!channel> & co"))
    assert message["text"].endswith("&lt;!channel&gt; &amp; co")


def test_console_line_has_no_terminal_controls() -> None:
    hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRed\x1b[0m\nFAKE [CRITICAL] line\u202e\x9b1A"
    source = SourceRef("https://news.example/a\x1b[8m", hostile, None, "a1")
    sent = replace(alert(), summary=hostile, sources=(source,))
    line = format_text(sent)
    assert "\x1b" not in line and "\n" not in line and "\u202e" not in line
    assert "\x9b" not in line and "\x07" not in line
    assert "Red FAKE [CRITICAL] line" in line
    assert "\\u001b" in format_json(sent)  # JSON: the data as is, control characters escaped


@pytest.mark.parametrize(
    ("text", "safe"),
    [("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"), ("\x1bP1q\x1b\\after", "after"),
     ("\x1bcreset", "reset"), ("a\r\nb", "a  b"), ("👨\u200d👩", "👨\u200d👩"), ("\x00\x7f", "")],
)
def test_terminal_safe(text: str, safe: str) -> None:
    assert terminal_safe(text) == safe
