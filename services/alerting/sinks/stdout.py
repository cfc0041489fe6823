"""Console sink: one JSON line per alert (machine-readable; JSON escapes every control
character), or one human line with terminal control sequences stripped (`terminal_safe`).

``auto`` (what `frontwire run` uses) picks per alert: a coloured line for people
(services/alerting/sinks/console.py) when the stream is a terminal, JSON otherwise, so a pipe
or a log file gets exactly the JSON lines it always got."""

from __future__ import annotations

import sys
from typing import Literal, TextIO

import orjson

from services.alerting.sinks.base import TransientDeliveryError
from services.alerting.sinks.console import alert_line, is_terminal, terminal_console
from shared.codec import to_dict
from shared.records import Alert
from shared.terminal import terminal_safe

Format = Literal["auto", "json", "text"]


def format_text(alert: Alert) -> str:
    tag = "NEW" if alert.version == 1 else f"UPD v{alert.version}"
    urls = " ".join(s.url for s in alert.sources if s.url)
    line = f"[{alert.severity.upper()}] {tag} {alert.rule}: {alert.summary}  {urls}"
    return terminal_safe(line).rstrip()


def format_json(alert: Alert) -> str:
    return orjson.dumps({"delivery_key": alert.delivery_key, **to_dict(alert)}).decode()


class StdoutSink:
    def __init__(
        self, stream: TextIO | None = None, fmt: Format = "json", *, name: str = "console"
    ) -> None:
        self.name = name
        self._stream, self._fmt = stream, fmt

    async def deliver(self, alert: Alert) -> None:
        # Resolve sys.stdout per call: it may be swapped (pytest capture, CLI redirection).
        stream = self._stream or sys.stdout
        try:
            if self._fmt == "auto" and is_terminal(stream):
                terminal_console(stream).print(alert_line(alert))
            else:
                text = format_text(alert) if self._fmt == "text" else format_json(alert)
                stream.write(text + "\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe / closed file
            raise TransientDeliveryError(f"{self.name}: cannot write: {exc}") from exc
