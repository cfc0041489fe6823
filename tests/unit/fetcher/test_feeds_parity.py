"""The fast lxml path and feedparser read every fixture (and tricky variants) identically."""

from __future__ import annotations

import pytest

from services.fetcher.feeds import parse_document
from services.fetcher.feeds_fast import parse_fast
from tests.paths import TEST_DATA

DATA = TEST_DATA / "fetcher"
BASE = "https://news.example.com/feeds/world.xml"


def _rss(items: str, extra_ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"{extra_ns}><channel><title>t</title>'
        f"<link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()


VARIANTS = {
    "guid_not_url_default_permalink": _rss("<item><title>a</title><guid>abc-1</guid></item>"),
    "guid_url_not_permalink": _rss(
        '<item><guid isPermaLink="false">https://x.example/g</guid></item>'
    ),
    "dates": _rss(
        "<item><link>/a</link><pubDate>Tue, 15 Jul 2025 01:02:03 +0530</pubDate>"
        "</item><item><link>/b</link><pubDate>15 Jul 2025 01:02 EST</pubDate></item>"
    ),
    "entities_in_title": _rss("<item><title>A &amp; B</title><link>/a</link></item>"),
    "html_summary": _rss(
        "<item><link>/a</link><description>&lt;p&gt;x&lt;/p&gt;</description></item>"
    ),
    "whitespace": _rss("<item><title>\n  Spaced  \n</title><link>\n /a \n</link></item>"),
    "dc_creator_and_date": _rss(
        "<item><link>/a</link><dc:creator>X</dc:creator><dc:date>2025-07-01T00:00:00Z</dc:date>"
        "</item>",
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ),
    "content_encoded_only": _rss(
        "<item><link>/a</link><content:encoded>&lt;p&gt;x&lt;/p&gt;</content:encoded></item>",
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    ),
    "hub_links": _rss(
        '<atom:link rel="hub" href="https://hub.example/"/>'
        '<atom:link rel="self" href="https://news.example.com/feed"/>'
        "<item><link>/a</link></item>",
        ' xmlns:atom="http://www.w3.org/2005/Atom"',
    ),
    "atom_no_summary_id_url": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<link rel="hub" href="https://hub.example/"/><entry><title>x</title>'
        b"<id>https://x.example/id</id><updated>2025-07-13T23:15:00+02:00</updated></entry>"
        b'<entry><title type="html">&lt;b&gt;y&lt;/b&gt;</title><link href="/y"/></entry></feed>'
    ),
    "xml_base": (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://other.example/">'
        b'<entry><link href="rel"/></entry></feed>'
    ),
    "rss_091": _rss("<item><title>a</title><link>https://x.example/a</link></item>").replace(
        b'version="2.0"', b'version="0.91"'
    ),
}


def _docs(body: bytes) -> tuple[object, object]:
    fast = parse_document(body, BASE)
    slow = parse_document(body, BASE, fast=False)
    return fast, slow


@pytest.mark.parametrize("name", ["rss2.xml", "atom.xml", "rss1.rdf"])
def test_fixtures_read_the_same_by_both_paths(name: str) -> None:
    body = (DATA / name).read_bytes()
    assert parse_fast(body, BASE) is not None, "the fast path should take this fixture"
    fast, slow = _docs(body)
    assert fast == slow


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_read_the_same_by_both_paths(name: str) -> None:
    fast, slow = _docs(VARIANTS[name])
    assert fast == slow


def test_bench_feed_takes_the_fast_path() -> None:
    from bench.fetcher import feed_xml

    body = feed_xml(3, 1, 20)
    doc = parse_fast(body, BASE)
    assert doc is not None and len(doc.items) == 20
    assert doc == parse_document(body, BASE, fast=False)
