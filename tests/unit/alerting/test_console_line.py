"""The console sink for people: on a terminal one coloured line per alert, no control sequence
from article text; anywhere else the JSON line, byte for byte as before."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from services.alerting.sinks import StdoutSink
from services.alerting.sinks.stdout import format_json
from shared.records import SourceRef
from tests.unit.alerting.builders import alert

# What rich itself writes: colours (SGR) and the link around the URL (OSC 8, ended by ST).
_OURS = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*\x1b\\")
HOSTILE = ("\x1b]0;pwned\x07\x1b]52;c;cm0gLXJm\x07\x1b[2J\x1b[31mRed\x1b[0m [bold red]FAKE[/] "
           ":warning: [link=https://evil.example]x[/link]\n[CRITICAL] forged\u202eline\x9b1A\x85")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


async def _on_terminal(sent: object) -> str:
    out = Terminal()
    await StdoutSink(out, fmt="auto").deliver(sent)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.asyncio
async def test_a_terminal_gets_one_coloured_line() -> None:
    line = await _on_terminal(alert(version=2))
    plain = _OURS.sub("", line)
    assert plain == (
        " CRITICAL  UPD v2 North Korea → Russia: 25,000–30,000 troops (planned)  "
        "large-troop-deployment  “Story”  CNN  https://outlet1.example/story\n"
    )
    assert "\x1b[" in line  # coloured
    assert "\x1b]8;id=" in line and ";https://outlet1.example/story\x1b\\" in line  # a link


@pytest.mark.asyncio
async def test_article_text_cannot_control_the_terminal() -> None:
    source = SourceRef("https://news.example/a\x1b]8;;https://evil.example\x1b\\", HOSTILE,
                       HOSTILE, "a1")
    sent = replace(alert(), summary=HOSTILE, rule="rule\x1b[8m", sources=(source,))
    line = await _on_terminal(sent)
    assert line.endswith("\n") and line.count("\n") == 1  # one line, none forged
    leftover = _OURS.sub("", line)
    assert not [c for c in leftover if c in "\x1b\x07\x9b\x85\u202e\r"], repr(leftover)
    # Rich markup and emoji codes in a title are text, printed as written.
    assert "Red [bold red]FAKE[/] :warning: [link=https://evil.example]x[/link] [CRITICAL]" in (
        leftover)
    assert "evil.example\x1b" not in line and "]52;" not in line and "pwned" not in line
    links = re.findall(r"\x1b\]8;id=\d+;([^\x1b]*)\x1b\\", line)
    assert links == ["https://news.example/a"]  # the injected link's target is gone


@pytest.mark.asyncio
async def test_anywhere_else_the_json_line_of_before() -> None:
    out = io.StringIO()  # a pipe, a file: not a terminal
    sent = replace(alert(), summary=HOSTILE)
    await StdoutSink(out, fmt="auto").deliver(sent)
    assert out.getvalue() == format_json(sent) + "\n"
    assert "\\u001b]0;pwned" in out.getvalue()  # the data as is, JSON-escaped


@pytest.mark.asyncio
async def test_json_even_on_a_terminal_when_asked() -> None:
    out = Terminal()
    await StdoutSink(out, fmt="json").deliver(alert())
    assert out.getvalue() == format_json(alert()) + "\n"


@pytest.mark.asyncio
async def test_a_long_title_is_cut_on_one_line() -> None:
    source = SourceRef("https://news.example/a", "word " * 100, None, "a1")
    line = _OURS.sub("", await _on_terminal(replace(alert(), sources=(source,))))
    assert "word…”" in line
    assert "news.example" in line  # no publisher: the site's host names the source
