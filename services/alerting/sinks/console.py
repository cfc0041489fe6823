"""The console sink's line for people: one coloured line per alert on a terminal — severity,
new or update, summary, rule, the latest report's title, its outlets, link.

Built from `rich.text.Text` pieces, never from markup: an article title such as
``[bold red]FAKE[/]`` is printed as written, not interpreted, and every piece of article text
first goes through `terminal_safe`, so no escape sequence from a feed reaches the terminal.
The only control sequences on the line are rich's own colours and the link (OSC 8).
"""

from __future__ import annotations

from typing import TextIO
from urllib.parse import urlsplit

from rich.console import Console
from rich.style import Style
from rich.text import Text

from shared.records import Alert
from shared.terminal import terminal_safe

SEVERITY_STYLES = {"critical": "bold white on red", "warning": "bold yellow", "info": "cyan"}
MAX_SOURCES_NAMED = 3
MAX_TITLE_CHARS = 100


def alert_line(alert: Alert) -> Text:
    """One line (never a line break in it), coloured by severity."""
    severity = terminal_safe(alert.severity).upper()
    line = Text(no_wrap=True, end="\n")
    line.append(f" {severity} ", SEVERITY_STYLES.get(alert.severity, "bold"))
    line.append(" NEW " if alert.version == 1 else f" UPD v{alert.version} ", "bold")
    line.append(terminal_safe(alert.summary), "bold")
    line.append(f"  {terminal_safe(alert.rule)}", "dim")
    if title := latest_title(alert):
        line.append(f"  “{title}”", "italic")
    if names := source_names(alert):
        line.append(f"  {names}", "green")
    if url := link(alert):
        line.append("  ")
        line.append(url, Style(color="blue", underline=True, link=url))
    return line


def latest_title(alert: Alert) -> str:
    """The title of the latest report, made safe, then cut (so a cut never halves an escape)."""
    titles = [s.title for s in alert.sources if s.title]
    title = " ".join(terminal_safe(titles[-1]).split()) if titles else ""
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "…"


def source_names(alert: Alert) -> str:
    """"Reuters, CNN +2": the outlets that reported it (publisher, else the site's host)."""
    names: list[str] = []
    for source in alert.sources:
        name = terminal_safe(source.publisher or urlsplit(source.url).hostname or "").strip()
        if name and name not in names:
            names.append(name)
    shown = ", ".join(names[:MAX_SOURCES_NAMED])
    more = len(names) - MAX_SOURCES_NAMED
    return f"{shown} +{more}" if more > 0 else shown


def link(alert: Alert) -> str | None:
    """The latest source's URL, if it is a web link a terminal may offer to open."""
    for source in reversed(alert.sources):
        url = terminal_safe(source.url).strip()
        if urlsplit(url).scheme.lower() in ("http", "https") and " " not in url:
            return url
    return None


def terminal_console(stream: TextIO, *, force_terminal: bool | None = None) -> Console:
    """A rich console on ``stream`` that interprets nothing it prints (no markup, emoji codes
    or highlighting of article text) and never wraps a line itself (the terminal does)."""
    return Console(
        file=stream, force_terminal=force_terminal, markup=False, emoji=False,
        highlight=False, soft_wrap=True,
    )


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False
