"""Bytes to text for page bodies: declared charset, then <meta charset>, then UTF-8/cp1252.

A charset name comes from the page's author, so it is only taken when it names a *text*
encoding that decodes with replacement: ``base64``, ``rot13``, ``hex``, ``zlib`` (bytes-to-
bytes codecs Python also finds by name) and ``idna`` (no ``errors="replace"``) are ignored.
"""

from __future__ import annotations

import codecs
import re

# Bounded input (the first 4 KB) and no nested quantifier: linear.
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MAX_NAME = 40
# Text codecs that cannot decode arbitrary bytes with errors="replace".
_REFUSED = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape"})


def known_encoding(name: str | None) -> str | None:
    """The codec's canonical name when ``name`` is a usable text encoding, else None."""
    if not name or len(name) > _MAX_NAME:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # Bytes-to-bytes codecs (base64, zlib, rot13 ...) are marked as non-text by Python.
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


def decode_body(body: bytes, content_type: str, charset: str | None) -> str:
    """Decode a page body; never raises (undecodable bytes become U+FFFD)."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    encoding = known_encoding(charset)
    if encoding is None and content_type != "text/plain":
        match = _META.search(body[:4096])
        encoding = known_encoding(match.group(1).decode("ascii")) if match else None
    if encoding is not None:
        try:
            return body.decode(encoding, errors="replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass  # a codec that still refuses: fall through to the sniffing below
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
