"""Console sink: one JSON line per alert (machine-readable; JSON escapes every control
character), or one human line with terminal control sequences stripped (`terminal_safe`)."""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Literal, TextIO

import orjson

from services.alerting.sinks.base import TransientDeliveryError
from shared.codec import to_dict
from shared.records import Alert

Format = Literal["json", "text"]

# ECMA-48 escape sequences: CSI (colours, cursor moves, screen clears), OSC (window titles,
# hyperlinks, clipboard writes), DCS/SOS/PM/APC strings, and two-byte ESC sequences.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|$)"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x9c|\x1b\\|$)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)


_BREAKS = frozenset("\r\n\t\v\f\u2028\u2029\x85")
_JOINER = "\u200d"  # zero-width joiner: part of emoji sequences, harmless


def terminal_safe(text: str) -> str:
    """``text`` with terminal control sequences and control characters removed and line
    breaks flattened: article text on a terminal must not recolour, move the cursor, retitle
    the window, write the clipboard, or forge extra alert lines. Bidi overrides go too."""
    out: list[str] = []
    for char in _ESCAPE_SEQUENCE.sub("", text):
        if char in _BREAKS:
            out.append(" ")
        elif char == _JOINER or unicodedata.category(char) not in ("Cc", "Cf"):
            out.append(char)
    return "".join(out)


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
        line = format_json(alert) if self._fmt == "json" else format_text(alert)
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe / closed file
            raise TransientDeliveryError(f"{self.name}: cannot write: {exc}") from exc
