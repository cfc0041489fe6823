"""What the feed and sitemap parsers return. Pure data."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from shared.errors import InputError


class FeedError(InputError, ValueError):
    """The body is not a feed we can read (malformed XML/JSON with no usable entries)."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None
    published: str | None  # ISO 8601
    summary: str | None


@dataclass
class FeedDoc:
    """A parsed feed or sitemap: its items, WebSub hub/self links, child sitemaps (index)."""

    items: list[FeedItem]
    hub: str | None = None
    self_url: str | None = None
    children: list[str] = field(default_factory=list)


def iso_from_struct(stamp: time.struct_time) -> str | None:
    """feedparser's UTC struct_time -> ISO 8601 (None when it is no real date)."""
    try:
        return datetime(*stamp[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def is_absolute_web_url(url: str) -> bool:
    """Does ``url`` (a guid, say) name an http(s) page by itself, with no base to resolve?
    Both feed parsers ask it, so they agree on which guids are permalinks."""
    return url.strip().lower().startswith(("http://", "https://"))


def web_url(base_url: str, link: str | None) -> str | None:
    """``link`` resolved against ``base_url`` when the result is an http(s) URL; None for
    anything else (a ``urn:`` or ``tag:`` id, ``mailto:``, ``javascript:``): only a web
    page can be fetched as an article."""
    if not link or not link.strip():
        return None
    try:
        url = urljoin(base_url, link.strip())
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None
