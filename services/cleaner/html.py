"""HTML pages: parse once, extract the article body with trafilatura, split into paragraphs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from itertools import islice

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from services.cleaner.errors import Unusable

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


# Per-document budget, in elements (after code and styles are dropped): deterministic limits
# that bound the extractor's work, which grows with the number of elements.
MAX_NODES = 100_000  # more than this is no article page: refused as too large
EXTRACT_MAX_NODES = 10_000  # the extractor sees at most this many (document order, rest cut)
FALLBACK_MAX_NODES = 5_000  # the slower second extraction pass only on pages this small
MAX_DEPTH = 120  # deeper elements are unwrapped (their text kept) so no recursion overflows


@dataclass(frozen=True, slots=True)
class Bounds:
    nodes: int  # elements left in the tree
    truncated: bool  # elements were cut or unwrapped


def count_nodes(tree: HtmlElement, limit: int) -> int:
    """Elements in ``tree``, counting no further than ``limit`` + 1."""
    return sum(1 for _ in islice(tree.iter(), limit + 1))


def _flatten_deep(tree: HtmlElement, max_depth: int) -> bool:
    """Unwrap every element nested deeper than ``max_depth`` into its ancestor at that level."""
    root = tree.getroottree().getroot()
    level = root.xpath("/*" + "/*" * (max_depth - 1) + "[*]")  # at max_depth, with children
    for node in level:
        etree.strip_tags(node, "*")
    return bool(level)


def _truncate(tree: HtmlElement, keep: int) -> bool:
    """Keep the first ``keep`` elements in document order, cut everything after them."""
    cut = next(islice(tree.iter(), keep, None), None)
    if cut is None:
        return False
    node: HtmlElement | None = cut
    first = True
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        index = parent.index(node)
        del parent[index if first else index + 1 :]
        first = False
        node = parent
    return True


def bound(tree: HtmlElement, *, max_nodes: int = MAX_NODES,
          extract_max_nodes: int = EXTRACT_MAX_NODES, max_depth: int = MAX_DEPTH) -> Bounds:
    """Hold ``tree`` to the per-document budget, in place: at most ``extract_max_nodes``
    elements, none deeper than ``max_depth``; Unusable("too_large") past ``max_nodes``."""
    nodes = count_nodes(tree, max_nodes)
    if nodes > max_nodes:
        raise Unusable("too_large", f"more than {max_nodes} elements")
    truncated = nodes > extract_max_nodes and _truncate(tree, extract_max_nodes)
    if _flatten_deep(tree, max_depth) or truncated:
        return Bounds(count_nodes(tree, max_nodes), True)
    return Bounds(nodes, False)


def tree_depth(tree: HtmlElement) -> int:
    """The deepest nesting in ``tree`` (the root counts 1)."""
    deepest = depth = 0
    for event, _node in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


_INERT = ("script", "style", "svg", "template", "iframe", "object", "embed", "canvas")


def strip_inert(tree: HtmlElement) -> None:
    """Drop code, styles and comments (run after metadata, which reads JSON-LD scripts)."""
    etree.strip_elements(tree, *_INERT, etree.Comment, with_tail=False)


_CARD_CLASS = re.compile(r"tooltip|popover|hover-?card|popup|rollover", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def strip_hover_cards(tree: HtmlElement) -> None:
    """Drop what a paragraph hides until hovered: link tooltips and hover cards (a person's
    photo and latest headlines inside the sentence) and inline elements styled invisible."""
    doomed = []
    for node in tree.xpath(_IN_PARAGRAPH):
        if _HIDDEN_STYLE.search(node.get("style") or "") or node.get("hidden") is not None:
            doomed.append(node)
        elif _is_card(node) and not any(_is_card(d) for d in node.iterdescendants("*")):
            doomed.append(node)  # the innermost card: the link it hangs on stays
    for node in doomed:
        if node.getparent() is not None:
            node.drop_tree()


_IN_PARAGRAPH = ".//p//*[@class or @style or @hidden] | .//li//*[@class or @style or @hidden]"


def _is_card(node: HtmlElement) -> bool:
    return bool(_CARD_CLASS.search(node.get("class") or "")) and (
        node.find(".//img") is not None or len(node.findall(".//a")) >= 2
    )
