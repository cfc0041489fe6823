"""Sitemaps (sitemaps.org 0.9) and Google News sitemaps: ``<urlset>`` -> items, with the
``<news:news>`` title and publication date when present (else ``<lastmod>``);
``<sitemapindex>`` -> child sitemap URLs. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

from services.fetcher.feed_records import FeedDoc, FeedError, FeedItem
from services.fetcher.xmlsafe import local

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_S, _N = f"{{{SITEMAP_NS}}}", f"{{{NEWS_NS}}}"
MAX_CHILDREN = 50_000  # the protocol's own limit per file


def is_sitemap(root: etree._Element) -> bool:
    return local(root.tag) in ("urlset", "sitemapindex")


def parse_sitemap(root: etree._Element, base_url: str) -> FeedDoc:
    ns = _S if root.tag.startswith(_S) else ""
    if local(root.tag) == "sitemapindex":
        locs = (_child_text(s, f"{ns}loc") for s in root.iterchildren(f"{ns}sitemap"))
        return FeedDoc([], children=[urljoin(base_url, loc) for loc in locs if loc][:MAX_CHILDREN])
    if local(root.tag) != "urlset":
        raise FeedError(f"not a sitemap: root element {local(root.tag)!r}")
    items = (_url_item(u, ns, base_url) for u in root.iterchildren(f"{ns}url"))
    return FeedDoc([i for i in items if i is not None][:MAX_CHILDREN])


def _url_item(url: etree._Element, ns: str, base_url: str) -> FeedItem | None:
    loc = _child_text(url, f"{ns}loc")
    if not loc:
        return None
    news = url.find(f"{_N}news")
    title = _child_text(news, f"{_N}title") if news is not None else None
    stamp = _child_text(news, f"{_N}publication_date") if news is not None else None
    return FeedItem(
        url=urljoin(base_url, loc),
        title=title,
        published=_w3c_date(stamp or _child_text(url, f"{ns}lastmod")),
        summary=None,
    )


def _child_text(parent: etree._Element, tag: str) -> str | None:
    child = parent.find(tag)
    if child is None or not child.text:
        return None
    return child.text.strip() or None


def _w3c_date(value: str | None) -> str | None:
    """W3C datetime (YYYY, YYYY-MM-DD, or full with zone) -> ISO 8601 UTC; None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat()
    except (ValueError, OverflowError):  # out of range once moved to UTC
        return None
