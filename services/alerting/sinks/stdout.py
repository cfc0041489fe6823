"""Console sink: one JSON line per alert (machine-readable), or one human line."""

from __future__ import annotations

import sys
from typing import Literal, TextIO

import orjson

from services.alerting.sinks.base import TransientDeliveryError
from shared.codec import to_dict
from shared.records import Alert

Format = Literal["json", "text"]


def format_text(alert: Alert) -> str:
    tag = "NEW" if alert.version == 1 else f"UPD v{alert.version}"
    urls = " ".join(s.url for s in alert.sources if s.url)
    return f"[{alert.severity.upper()}] {tag} {alert.rule}: {alert.summary}  {urls}".rstrip()


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
        line = format_json(alert) if self._fmt == "json" else format_text(alert)
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe / closed file
            raise TransientDeliveryError(f"{self.name}: cannot write: {exc}") from exc
