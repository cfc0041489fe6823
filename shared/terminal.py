"""Untrusted text (article titles, URLs, error messages quoting them) made safe to print on a
terminal: no escape sequence from a feed may recolour the screen, move the cursor, retitle the
window, write the clipboard (OSC 52), or forge extra lines that look like ours."""

from __future__ import annotations

import re
import unicodedata

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


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with terminal control sequences and control characters removed and line
    breaks flattened to spaces (``keep_newlines``: ``\\n`` kept, for a traceback). Bidi
    overrides (format characters) go too: they can make a line read backwards."""
    out: list[str] = []
    for char in _ESCAPE_SEQUENCE.sub("", text):
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in _BREAKS:
            out.append(" ")
        elif char == _JOINER or unicodedata.category(char) not in ("Cc", "Cf"):
            out.append(char)
    return "".join(out)
