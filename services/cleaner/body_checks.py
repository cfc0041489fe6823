"""Checks on the raw body before any parsing: size, binary content, encoding damage, kind."""

from __future__ import annotations

import re

from services.cleaner.errors import Unusable

MAX_CHARS = 5_000_000  # per-document input budget; bigger bodies are refused
_SNIFF = 4096
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|br)\b", re.I)
_MOJIBAKE = re.compile(r"[ÃÂâ][\x80-\xbf€™œ\"„†‡ˆ‰Š‹ŒŽ‘’“”•–—˜š›žŸ¡-¿]")
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")


def check_size(body: str) -> None:
    if len(body) > MAX_CHARS:
        raise Unusable("too_large", f"{len(body)} characters > {MAX_CHARS}")


def check_binary(body: str) -> None:
    head = body[:_SNIFF]
    if any(head.encode("latin-1", "ignore").startswith(m) for m in _MAGIC):
        raise Unusable("binary", "file signature of a binary format")
    sample = body[: _SNIFF * 4]
    if sample and len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise Unusable("binary", "control characters in the body")


def repair_encoding(body: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 ("Ã©" for "é"); refuse text full of U+FFFD."""
    if len(_MOJIBAKE.findall(body[:50_000])) >= 3:
        for codec in ("cp1252", "latin-1"):
            try:
                body = body.encode(codec).decode("utf-8")
                break
            except UnicodeError:
                continue
    sample = body[:50_000]
    if sample and sample.count("\ufffd") > max(20, 0.02 * len(sample)):
        raise Unusable("bad_encoding", "too many undecodable characters")
    return body


def looks_like_html(body: str, content_type: str) -> bool:
    head = body[:_SNIFF].lstrip()
    if _HTML.search(head):
        return True
    return "html" in content_type.lower() and head.startswith("<")


def check_kind(body: str, content_type: str) -> None:
    """Refuse bodies that are neither a page nor prose: JSON, XML feeds, CSS/JS, ..."""
    head = body[:_SNIFF].lstrip()
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind not in ("text/html", "text/plain", "application/xhtml+xml"):
        raise Unusable("not_html", f"content type {kind}")
    if head[:1] in "{[" and head[:1]:
        raise Unusable("not_html", "JSON body")
    if head.startswith("<?xml") and not _HTML.search(head):
        raise Unusable("not_html", "XML body")
