"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom (a fast lxml path, feedparser for anything odd),
JSON Feed by hand, sitemaps and news sitemaps (``sitemaps.py``). Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXException

import feedparser
import orjson

from services.fetcher.feed_fast_path import parse_fast
from services.fetcher.feed_records import (
    FeedDoc,
    FeedError,
    FeedItem,
    is_absolute_web_url,
    iso_from_struct,
    web_url,
)
from services.fetcher.sitemaps import is_sitemap, parse_sitemap
from services.fetcher.xmlsafe import parse_xml

__all__ = ["FeedDoc", "FeedError", "FeedItem", "parse_document", "parse_feed"]

# feedparser's lenient (sgmllib) parser reads malformed XML at ~75 KB/s of CPU: a broken feed
# larger than this is refused instead (real feeds that are not well-formed are far smaller).
LENIENT_MAX_BYTES = 1_000_000


def parse_feed(body: bytes, base_url: str) -> list[FeedItem]:
    """Items of an RSS, Atom or JSON feed (or a sitemap), links resolved against ``base_url``.

    Raises FeedError when the body is malformed and yields no entries, or is no feed at all.
    """
    return parse_document(body, base_url).items


def parse_document(body: bytes, base_url: str, *, fast: bool = True) -> FeedDoc:
    """Like ``parse_feed``, plus the WebSub hub/self links and a sitemap index's children.
    ``fast=False`` forces feedparser for RSS/Atom (the parity tests compare both)."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]  # a UTF-8 BOM (JSON Feed files saved by some editors start with one)
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return FeedDoc(_parse_json_feed(body, base_url))
    root = parse_xml(body)
    if root is not None and is_sitemap(root):
        return parse_sitemap(root, base_url)
    doc = parse_fast(body, base_url, root) if fast and root is not None else None
    if doc is not None:
        return doc
    if root is None and len(body) > LENIENT_MAX_BYTES:
        raise FeedError(f"malformed feed of {len(body)} bytes (lenient parsing stops at "
                        f"{LENIENT_MAX_BYTES})")
    return _parse_xml_feed(body, base_url)


def _parse_xml_feed(body: bytes, base_url: str) -> FeedDoc:
    try:
        parsed = feedparser.parse(
            body,
            # No content-location: links and ids stay as written (xml:base applied), so a
            # guid that is no URL is not made into one; we resolve links ourselves.
            response_headers={"content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, LookupError) as exc:
        # feedparser raises these on some malformed documents (a namespaced element it does
        # not expect, a mis-closed <image> child, an undecodable encoding name): the body is
        # no feed we can read, which is what FeedError says.
        raise FeedError(f"malformed feed: feedparser raised {type(exc).__name__}") from exc
    if not parsed.entries:
        error = parsed.get("bozo_exception")
        if isinstance(error, SAXException):
            raise FeedError(f"malformed feed: {error}")
        if not parsed.get("version"):
            raise FeedError(f"not a feed: no RSS/Atom root element ({error or 'no entries'})")
        return FeedDoc([], *_hub_links(parsed))
    items = (_xml_item(entry, base_url) for entry in parsed.entries)
    return FeedDoc([item for item in items if item is not None], *_hub_links(parsed))


def _hub_links(parsed: Any) -> tuple[str | None, str | None]:
    links = parsed.get("feed", {}).get("links", [])
    found = {link.get("rel"): link.get("href") for link in reversed(links) if link.get("href")}
    return found.get("hub"), found.get("self")


def _xml_item(entry: Any, base_url: str) -> FeedItem | None:
    link = entry.get("link")
    if link and entry.get("guidislink") and not is_absolute_web_url(link):
        link = None  # feedparser made the link up from a guid that is no URL ("abc-1")
    url = web_url(base_url, link or _permalink_id(entry))
    if url is None:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return FeedItem(
        url=url,
        title=_clean(entry.get("title")),
        published=iso_from_struct(stamp) if stamp else None,
        summary=_clean(entry.get("summary")),
    )


def _permalink_id(entry: Any) -> str | None:
    guid = entry.get("id")
    return guid.strip() if isinstance(guid, str) and is_absolute_web_url(guid) else None



def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _parse_json_feed(body: bytes, base_url: str) -> list[FeedItem]:
    try:
        # orjson refuses nesting past 1024 levels with an error (json recurses and may raise
        # RecursionError on a document of 200,000 "[").
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FeedError(f"malformed JSON feed: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a JSON Feed: no 'items' list")
    # Relative item URLs resolve against where the feed was fetched, never against its own
    # feed_url: a relative feed_url would resolve nowhere, an absolute one may lie.
    items = (_json_item(raw, base_url) for raw in doc["items"] if isinstance(raw, dict))
    return [item for item in items if item is not None]


def _json_item(raw: dict[str, Any], base_url: str) -> FeedItem | None:
    link = raw.get("url") or raw.get("external_url")
    if not isinstance(link, str) or not link.strip():
        guid = raw.get("id")
        link = guid if isinstance(guid, str) and is_absolute_web_url(guid) else None
    url = web_url(base_url, link)
    if url is None:
        return None
    return FeedItem(
        url=url,
        title=_clean(raw.get("title")),
        published=_iso_from_json(raw.get("date_published") or raw.get("date_modified")),
        summary=_clean(raw.get("summary")) or _clean(raw.get("content_text")),
    )


def _iso_from_json(value: object) -> str | None:
    """JSON Feed dates are RFC 3339; normalise to ISO 8601 in UTC, None when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # 9999-12-31T23:00:00-05:00 and 0001-01-01T00:00:00+05:00 leave datetime's range in UTC.
        return parsed.astimezone(UTC).isoformat()
    except (ValueError, OverflowError):
        return None
