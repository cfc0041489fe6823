"""The fast lxml path and feedparser read every fixture (and tricky variants) identically."""

from __future__ import annotations

import pytest

from services.fetcher.feed_fast_path import parse_fast
from services.fetcher.feed_formats import parse_document
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
    # Divergences the fast path once had (issue 11): each now reads as feedparser reads it.
    "cp1252_declared_iso_8859_1": (
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t'
        b"</title><item><title>It\x92s \x93quoted\x94</title><link>/a</link></item>"
        b"</channel></rss>"
    ),
    "rdf_about_only": (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://x.example/"><title>t'
        b'</title></channel><item rdf:about="https://x.example/1"><title>x</title></item>'
        b"</rdf:RDF>"
    ),
    "items_outside_channel": _rss("<item><link>/a</link></item>").replace(
        b"</channel></rss>", b"</channel><item><link>/b</link></item></rss>"
    ),
    "rss_link_href": _rss('<item><link href="https://x.example/h"/></item>'),
    "atom_link_as_text": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<link rel="alternate" type="text/html">https://x.example/t</link></entry></feed>'
    ),
    "two_titles": _rss("<item><title>one</title><title>two</title><link>/a</link></item>"),
    "two_dates": _rss(
        "<item><link>/a</link><pubDate>Mon, 14 Jul 2025 09:30:00 GMT</pubDate>"
        "<pubDate>Tue, 15 Jul 2025 09:30:00 GMT</pubDate></item>"
    ),
    "two_guids": _rss("<item><guid>https://x.example/1</guid><guid>https://x.example/2</guid>"
                      "</item>"),
    "alternate_of_another_type": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<link rel="alternate" type="application/pdf" href="/a.pdf"/>'
        b'<link rel="alternate" type="text/html" href="/a.html"/></entry><entry>'
        b'<link rel="alternate" type="application/pdf" href="/b.pdf"/></entry></feed>'
    ),
    "upper_case_rel": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="ALTERNATE" href="/a"/>'
        b"</entry></feed>"
    ),
    "atom_issued_modified": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/a"/>'
        b"<issued>2025-07-01T00:00:00Z</issued></entry><entry><link href='/b'/>"
        b"<modified>2025-07-02T00:00:00Z</modified></entry><entry><link href='/c'/>"
        b"<published>2025-07-03T00:00:00Z</published><issued>2025-07-04T00:00:00Z</issued>"
        b"</entry></feed>"
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


DIVERGENCES = {
    "cp1252_declared_iso_8859_1": [("https://news.example.com/a", "It’s “quoted”", None)],
    "rdf_about_only": [("https://x.example/1", "x", None)],
    "items_outside_channel": [("https://news.example.com/a", None, None),
                              ("https://news.example.com/b", None, None)],
    "rss_link_href": [("https://x.example/h", None, None)],
    "atom_link_as_text": [("https://x.example/t", None, None)],
    "alternate_of_another_type": [("https://news.example.com/a.html", None, None)],
    "upper_case_rel": [("https://news.example.com/a", None, None)],
}


@pytest.mark.parametrize("name", sorted(DIVERGENCES))
def test_former_divergences_read_as_feedparser_reads_them(name: str) -> None:
    items = parse_document(VARIANTS[name], BASE).items
    assert [(i.url, i.title, i.published) for i in items] == DIVERGENCES[name]


def test_atom_03_dates_count_in_atom_10_entries() -> None:
    items = parse_document(VARIANTS["atom_issued_modified"], BASE).items
    # Both published and issued: the fast path defers to feedparser, whose last date wins.
    assert [i.published for i in items] == [
        "2025-07-01T00:00:00+00:00", "2025-07-02T00:00:00+00:00", "2025-07-04T00:00:00+00:00"]


@pytest.mark.parametrize("fast", [True, False])
def test_ids_that_are_no_web_url_are_never_links(fast: bool) -> None:
    # Deliberate differences from feedparser (docs/feeds.md): it gives urn:/tag: ids and
    # relative guids as links; an article can only be fetched from an http(s) URL.
    body = _rss(
        "<item><guid>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</guid></item>"
        "<item><guid>tag:example.com,2025:1</guid></item>"
        "<item><guid>abc-1</guid></item>"
        '<item><guid isPermaLink="false">abc-2</guid></item>'
        '<item><guid isPermaLink="false">https://x.example/g</guid></item>'
        "<item><link>mailto:desk@example.com</link></item>"
    )
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:x:1</id></entry>'
        b"<entry><id>tag:example.com,2025:2</id></entry></feed>"
    )
    assert [i.url for i in parse_document(body, BASE, fast=fast).items] == [
        "https://x.example/g"]
    assert parse_document(atom, BASE, fast=fast).items == []
