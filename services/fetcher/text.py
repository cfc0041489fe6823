"""Bytes to text for page bodies: declared charset, then <meta charset>, then UTF-8/cp1252."""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str, charset: str | None) -> str:
    """Decode a page body; never raises (undecodable bytes become U+FFFD)."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    encoding = _known(charset)
    if encoding is None and content_type != "text/plain":
        match = _META.search(body[:4096])
        encoding = _known(match.group(1).decode("ascii")) if match else None
    if encoding is not None:
        return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
