"""One hardened lxml parser for feeds and sitemaps: no DTD loading, no entity expansion, no
network, no huge trees (billion-laughs and XXE are inert)."""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_comments=True, remove_pis=True,
)


def parse_xml(body: bytes) -> etree._Element | None:
    """The root element, or None when the body is not well-formed XML."""
    try:
        return etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def local(tag: object) -> str:
    """``{ns}name`` -> ``name`` (comments and PIs have non-string tags)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def ns(tag: object) -> str:
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""
