"""HTML pages: parse once, extract the article body with trafilatura, split into paragraphs."""

from __future__ import annotations

import logging
import re

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# trafilatura logs every discarded page at WARNING; the cleaner reports those itself.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_LIST_MARK = re.compile(r"^[-•*]\s+")


_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def parse(markup: str) -> HtmlElement | None:
    """An lxml tree of ``markup``, or None when it does not parse into a document."""
    try:
        tree = lxml_html.document_fromstring(markup, parser=_PARSER)
    except (ValueError, etree.ParserError):  # e.g. a string with an encoding declaration
        try:
            tree = load_html(markup)
        except (ValueError, TypeError, RecursionError):
            return None
    return tree if isinstance(tree, HtmlElement) and len(tree) else None


def _paragraphs(text: str | None) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        line = " ".join(_LIST_MARK.sub("", line.strip()).split())
        if line:
            out.append(line)
    return out


def extract(tree: HtmlElement, url: str | None, *, fast: bool = True) -> list[str]:
    """The article body of ``tree`` as paragraphs (empty when nothing was found)."""
    try:
        text = trafilatura.extract(
            tree, url=url or None, fast=fast, include_comments=False, include_tables=True
        )
    except (ValueError, TypeError, RecursionError, AttributeError):
        return []
    return _paragraphs(text)


def page_text(tree: HtmlElement, limit: int = 20_000) -> str:
    """Visible-ish text of the whole page (for telling a wall from an empty page)."""
    body = tree.find(".//body")
    node = body if body is not None else tree
    try:
        return " ".join(node.text_content()[: limit * 2].split())[:limit]
    except (ValueError, RecursionError):
        return ""


_BODY_CLASS = re.compile(
    r"(?:article|story|post|entry|content)[-_]{0,2}(?:body|content|text)|body__container", re.I
)
_MIN_PARAGRAPHS = 2


def merge_split_bodies(tree: HtmlElement) -> None:
    """Join article bodies a page split into sibling blocks of one class (ads between them),
    so the extractor, which keeps one block, keeps them all."""
    groups: dict[str, list[HtmlElement]] = {}
    for node in tree.iter("div", "section"):
        cls = node.get("class") or ""
        if _BODY_CLASS.search(cls) and len(node.findall("p")) >= _MIN_PARAGRAPHS:
            groups.setdefault(cls, []).append(node)
    for nodes in groups.values():
        first = nodes[0]
        for other in nodes[1:]:
            if any(anc is first for anc in other.iterancestors()):
                continue
            parent = other.getparent()
            if parent is None:
                continue
            first.extend(list(other))
            parent.remove(other)


_INERT = ("script", "style", "svg", "template", "iframe", "object", "embed", "canvas")


def strip_inert(tree: HtmlElement) -> None:
    """Drop code, styles and comments (run after metadata, which reads JSON-LD scripts)."""
    etree.strip_elements(tree, *_INERT, etree.Comment, with_tail=False)
