"""Article metadata from an HTML tree: meta tags, JSON-LD, <time>, <title>/<h1>, the URL.

Dates are where extractors most often go wrong, so ``published`` is chosen with care:
explicit publication fields (meta tags, the page's own JSON-LD article) before any visible
``<time>``; a ``<time>`` marked or labelled "updated"/"modified" is the modification date,
never the publication date; ``<time>`` elements inside sidebars, teaser lists and footers
(other stories' dates) are ignored; JSON-LD articles nested in lists (related stories) rank
below the page's own; a date in the URL is the last resort. Copyright years are never dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import re2
from lxml.html import HtmlElement

from services.cleaner import dates

_TITLE_META = ("og:title", "twitter:title", "dc.title", "headline")
_DATE_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "date",
    "dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created",
    "sailthru.date", "parsely-pub-date", "article.published", "published_time",
    "article:published", "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "dc.date.modified", "dcterms.modified", "last-modified", "lastmod", "modified_time",
    "article.updated", "updated_time",
)
_AUTHOR_META = (
    "author", "article:author", "dc.creator", "dcterms.creator", "sailthru.author",
    "parsely-author", "byl", "twitter:creator", "citation_author",
)
_SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
# The page's own <title>: RE2 (linear time; Python's engine is quadratic here: "a", 40,000
# spaces, "b" took 8 s), with Python's Unicode \s spelt out (RE2's \s is ASCII only).
_SPACE = r"[\s\p{Z}\x1c-\x1f\x85]"
TITLE_SEPARATORS = re2.compile(rf"{_SPACE}+[|\-–—:•·»]{_SPACE}+")
MAX_TITLE_CHARS = 2_000  # a longer <title> is no title; bounds what the split sees too
_ARTICLE_TYPES = re.compile(
    r"(?:News|Blog|Report|Scholarly|Tech|Opinion|Analysis|Review|Live)?"
    r"(?:Article|BlogPosting|NewsArticle|ReportageNewsArticle|LiveBlogPosting)", re.I
)
_PAGE_TYPES = re.compile(r"(?:Web|Item|About|Collection)?Page", re.I)
_MAX_LD_SCRIPTS = 10
_MAX_LD_CHARS = 1_000_000
_MAX_LD_NODES = 5_000
_MAX_TIMES = 50
_MAX_AUTHORS = 10
# <time> elements inside these are other stories' dates, comments or footers.
_OFF_STORY = re.compile(
    r"related|sidebar|side-bar|aside|teaser|recommend|trending|popular|most-?read|more-?stories|"
    r"widget|promo|footer|comment|outbrain|taboola|latest|also-?read|read-?next|rail",
    re.I,
)
_OFF_STORY_TAGS = frozenset({"aside", "nav", "footer", "li"})
_UPDATED = re.compile(r"updat|modif|edited|revised|aktualisiert|mis à jour|actualizad", re.I)
_PUBLISHED = re.compile(r"publi|posted|pubdate|created|erschienen|veröffentlicht", re.I)
_BY = re.compile(r"^(?:by|von|par|por|door|di)\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|\d{3,}|^\W*$")


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    canonical_url: str | None = None
    language_hint: str | None = None
    other_titles: tuple[str | None, ...] = ()
    authors: tuple[str, ...] = ()
    modified: str | None = None


def _meta(tree: HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in tree.iterfind(".//meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop") or ""
        value = node.get("content") or node.get("datetime") or ""
        if key and value.strip():
            found.setdefault(key.strip().lower(), []).append(" ".join(value.split()))
    return found


def _one(meta: dict[str, list[str]], key: str) -> str | None:
    values = meta.get(key)
    return values[0] if values else None


def _walk(root: Any) -> Iterator[tuple[dict[str, Any], int]]:
    """Every JSON object under ``root`` with its nesting level (iterative, bounded)."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    seen = 0
    while stack and seen < _MAX_LD_NODES:
        node, level = stack.pop()
        seen += 1
        if isinstance(node, dict):
            yield node, level
            children = [v for k, v in node.items() if k != "@graph"]
            stack.extend((v, level + 1) for v in reversed(children))
            if "@graph" in node:  # a graph's members are top-level objects
                stack.extend((v, level) for v in reversed(_as_list(node["@graph"])))
        elif isinstance(node, list):
            stack.extend((v, level) for v in reversed(node))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _kind_rank(obj: dict[str, Any]) -> int | None:
    kinds = [k for k in _as_list(obj.get("@type")) if isinstance(k, str)]
    if any(_ARTICLE_TYPES.fullmatch(k) for k in kinds):
        return 0
    if any(_PAGE_TYPES.fullmatch(k) for k in kinds):
        return 1
    return None


def _json_ld(tree: HtmlElement) -> dict[str, Any]:
    """The page's own article object: an article type before a WebPage, a top-level object
    before one nested in a list (a related story), the first in document order otherwise."""
    best: tuple[int, int, int] | None = None
    chosen: dict[str, Any] = {}
    order = 0
    for script in tree.xpath('.//script[@type="application/ld+json"]')[:_MAX_LD_SCRIPTS]:
        text = script.text_content() or ""
        if len(text) > _MAX_LD_CHARS:
            continue
        try:
            data = json.loads(text or "null")
        except (ValueError, RecursionError):
            continue
        for obj, level in _walk(data):
            rank = _kind_rank(obj)
            if rank is None:
                continue
            order += 1
            key = (min(level, 1), rank, order)
            if best is None or key < best:
                best, chosen = key, obj
    if not chosen:
        return {}
    publisher = chosen.get("publisher")
    return {
        "headline": chosen.get("headline"),
        "date": chosen.get("datePublished") or chosen.get("dateCreated"),
        "modified": chosen.get("dateModified"),
        "publisher": publisher.get("name") if isinstance(publisher, dict) else None,
        "author": chosen.get("author") or chosen.get("creator"),
    }


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _title(tree: HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any]) -> str | None:
    h1 = tree.find(".//h1")
    heading = h1.text_content() if h1 is not None else None
    found = _first_str(*(_one(meta, k) for k in _TITLE_META), ld.get("headline"), heading)
    if found:
        return found
    title = tree.findtext(".//title") or ""
    return _first_str(title_part(title))


def title_part(title: str) -> str | None:
    """The longest part of a ``<title>`` split at its separators ("Story | Site")."""
    parts = TITLE_SEPARATORS.split(title.strip()[:MAX_TITLE_CHARS])
    return max(parts, key=len) if parts else None


def _off_story(node: HtmlElement) -> bool:
    """Inside a sidebar, teaser list, comment or footer: another story's date."""
    for anc in node.iterancestors():
        if anc.tag in _OFF_STORY_TAGS:
            return True
        if anc.tag == "article" and anc.getparent() is not None and any(
            a.tag == "article" for a in anc.iterancestors()
        ):
            return True  # an article card nested in the page's article
        label = f"{anc.get('class') or ''} {anc.get('id') or ''}"
        if _OFF_STORY.search(label):
            return True
    return False


def _time_label(node: HtmlElement) -> str:
    """What a <time> says about itself: attributes, its parent's and the text just before."""
    parent = node.getparent()
    before = ""
    if parent is not None:
        before = (parent.text or "") if parent.index(node) == 0 else (
            node.getprevious().tail or "" if node.getprevious() is not None else ""
        )
    parts = [node.get("itemprop"), node.get("class"), node.get("id"), node.get("pubdate"),
             before[-40:], (parent.get("class") if parent is not None else None)]
    return " ".join(p for p in parts if p)


def _times(tree: HtmlElement) -> tuple[str | None, str | None]:
    """(published, modified) read from the story's own <time> elements."""
    published = modified = fallback = None
    for count, node in enumerate(tree.iter("time")):
        if count >= _MAX_TIMES or (fallback is not None and published is not None):
            break
        value = node.get("datetime") or node.text_content()
        found = dates.from_iso(value) if value else None
        if not found or _off_story(node):
            continue
        label = _time_label(node)
        if _UPDATED.search(label) and not _PUBLISHED.search(node.get("itemprop") or ""):
            modified = modified or found
        elif _PUBLISHED.search(label):
            published = published or found
        else:
            fallback = fallback or found
    return published or fallback, modified


def _iso(value: Any) -> str | None:
    return dates.from_iso(value) if isinstance(value, str) and value.strip() else None


def _first_date(*values: Any) -> str | None:
    for value in values:
        if found := _iso(value):
            return found
    return None


def _published(meta: dict[str, list[str]], ld: dict[str, Any], times: str | None,
               url: str) -> str | None:
    return _first_date(*(_one(meta, k) for k in _DATE_META), ld.get("date"), times) or (
        dates.from_url(url)
    )


def site_name_from_url(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


def _other_titles(tree: HtmlElement) -> tuple[str | None, ...]:
    h1 = tree.find(".//h1")
    return (tree.findtext(".//title"), h1.text_content() if h1 is not None else None)


def _absolute(href: str | None, base: str) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        full = urljoin(base, href) if base else href
        parts = urlsplit(full)
    except ValueError:
        return None
    return full if parts.scheme in ("http", "https") and parts.hostname else None


def _canonical(tree: HtmlElement, meta: dict[str, list[str]], url: str) -> str | None:
    for link in tree.iterfind(".//link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and (found := _absolute(link.get("href"), url)):
            return found
    return _absolute(_one(meta, "og:url"), url)


def _names(value: Any) -> Iterator[str]:
    """Author names from a JSON-LD author value or a meta/byline string."""
    for item in _as_list(value)[:_MAX_AUTHORS]:
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                yield from _names(name)
        elif isinstance(item, str):
            text = _BY.sub("", " ".join(item.split()))
            yield from _AUTHOR_SPLIT.split(text)


def clean_authors(*values: Any) -> tuple[str, ...]:
    """Distinct plausible person/desk names, in order, from the first source that has any."""
    for value in values:
        found: list[str] = []
        for name in _names(value):
            name = _BY.sub("", name.strip(" .-–—:")).strip()
            words = name.split()
            if not name or len(words) > 5 or _NOT_A_NAME.search(name) or not name[0].isalpha():
                continue
            if name.casefold() not in {f.casefold() for f in found}:
                found.append(name)
        if found:
            return tuple(found[:_MAX_AUTHORS])
    return ()


def _authors(tree: HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any]) -> tuple[str, ...]:
    nodes = tree.xpath('.//*[@rel="author" or @itemprop="author"]'
                       '[not(self::meta) and not(self::link)]')[:5]
    tagged = [text for n in nodes if len(text := n.text_content().strip()) <= 80]
    return clean_authors(
        ld.get("author"), *(meta.get(k) for k in _AUTHOR_META), tagged or None
    )


def extract(tree: HtmlElement, url: str) -> Metadata:
    meta, ld = _meta(tree), _json_ld(tree)
    publisher = _first_str(*(_one(meta, k) for k in _SITE_META), ld.get("publisher"))
    if publisher and publisher.startswith("@"):
        publisher = publisher[1:]
    time_published, time_modified = _times(tree)
    published = _published(meta, ld, time_published, url)
    modified = _first_date(*(_one(meta, k) for k in _MODIFIED_META), ld.get("modified"),
                           time_modified)
    return Metadata(
        title=_title(tree, meta, ld),
        published=published,
        publisher=publisher,
        canonical_url=_canonical(tree, meta, url),
        language_hint=tree.get("lang") or _one(meta, "og:locale")
        or _one(meta, "content-language"),
        other_titles=_other_titles(tree),
        authors=_authors(tree, meta, ld),
        modified=modified,
    )
