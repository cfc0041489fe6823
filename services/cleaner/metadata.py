"""Article metadata from an HTML tree: meta tags, JSON-LD, <time>, <title>/<h1>, the URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from services.cleaner import dates

_TITLE_META = ("og:title", "twitter:title", "dc.title", "headline")
_DATE_META = (
    "article:published_time", "og:published_time", "datepublished", "publishdate",
    "publish-date", "pubdate", "date", "dc.date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published", "published_time",
)
_SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:•·»]\s+")
_NEWS_TYPES = re.compile(r"(?:News|Blog|Report)?Article|NewsArticle|BlogPosting|WebPage", re.I)


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    canonical_url: str | None = None
    language_hint: str | None = None
    other_titles: tuple[str | None, ...] = ()


def _meta(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.iterfind(".//meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop") or ""
        value = node.get("content") or node.get("datetime") or ""
        if key and value.strip():
            found.setdefault(key.strip().lower(), " ".join(value.split()))
    return found


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _json_ld(tree: HtmlElement) -> dict[str, Any]:
    """The first article-like JSON-LD object, flattened to headline/date/publisher."""
    for script in tree.xpath('.//script[@type="application/ld+json"]')[:10]:
        try:
            data = json.loads(script.text_content() or "null")
        except (ValueError, RecursionError):
            continue
        for obj in _walk(data):
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _NEWS_TYPES.fullmatch(k) for k in kinds):
                publisher = obj.get("publisher")
                name = publisher.get("name") if isinstance(publisher, dict) else None
                return {
                    "headline": obj.get("headline"),
                    "date": obj.get("datePublished") or obj.get("dateCreated"),
                    "publisher": name,
                }
    return {}


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _title(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    h1 = tree.find(".//h1")
    heading = h1.text_content() if h1 is not None else None
    found = _first_str(*(meta.get(k) for k in _TITLE_META), ld.get("headline"), heading)
    if found:
        return found
    title = tree.findtext(".//title") or ""
    parts = _TITLE_SEPARATORS.split(title.strip())
    return _first_str(max(parts, key=len) if parts else None)


def _published(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any], url: str) -> str | None:
    for value in (*(meta.get(k) for k in _DATE_META), ld.get("date")):
        if isinstance(value, str) and (found := dates.from_iso(value)):
            return found
    for node in tree.xpath(".//time")[:5]:
        value = node.get("datetime") or node.text_content()
        if value and (found := dates.from_iso(value)):
            return found
    return dates.from_url(url)


def site_name_from_url(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return host or None


def _other_titles(tree: HtmlElement) -> tuple[str | None, ...]:
    h1 = tree.find(".//h1")
    return (tree.findtext(".//title"), h1.text_content() if h1 is not None else None)


def _canonical(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    for link in tree.iterfind(".//link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return str(link.get("href")).strip()
    return meta.get("og:url")


def extract(tree: HtmlElement, url: str) -> Metadata:
    meta, ld = _meta(tree), _json_ld(tree)
    publisher = _first_str(*(meta.get(k) for k in _SITE_META), ld.get("publisher"))
    if publisher and publisher.startswith("@"):
        publisher = publisher[1:]
    return Metadata(
        title=_title(tree, meta, ld),
        published=_published(tree, meta, ld, url),
        publisher=publisher,
        canonical_url=_canonical(tree, meta),
        language_hint=tree.get("lang") or meta.get("og:locale") or meta.get("content-language"),
        other_titles=_other_titles(tree),
    )
