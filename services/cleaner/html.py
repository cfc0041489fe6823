"""HTML pages: parse once, extract the article body with trafilatura, split into paragraphs."""

from __future__ import annotations

import logging
import re

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# trafilatura logs every discarded page at WARNING; the cleaner reports those itself.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_LIST_MARK = re.compile(r"^[-•*]\s+")


def parse(markup: str) -> HtmlElement | None:
    """An lxml tree of ``markup``, or None when it does not parse into a document."""
    try:
        tree = load_html(markup)
    except (ValueError, TypeError, RecursionError):
        return None
    return tree if isinstance(tree, HtmlElement) else None


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
