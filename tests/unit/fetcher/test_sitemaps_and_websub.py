"""Sitemap parsing and the pure WebSub pieces."""

from __future__ import annotations

import pytest

from services.fetcher.feed_formats import FeedItem, parse_document
from services.fetcher.websub import Subscriber, link_topic, sign, verify_signature

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example.com/world/troops</loc>
    <lastmod>2025-07-10</lastmod>
    <news:news><news:publication><news:name>Example</news:name>
      <news:language>en</news:language></news:publication>
      <news:publication_date>2025-07-14T09:30:00+02:00</news:publication_date>
      <news:title>Troops arrive in Kursk</news:title></news:news></url>
  <url><loc>/world/plain</loc><lastmod>2025-07-13T10:00:00Z</lastmod></url>
  <url><lastmod>2025-07-13</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>/sitemap-2025-07.xml</loc><lastmod>2025-07-14</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap() -> None:
    doc = parse_document(NEWS_SITEMAP, "https://news.example.com/sitemap.xml")
    assert doc.items == [
        FeedItem(
            "https://news.example.com/world/troops",
            "Troops arrive in Kursk",
            "2025-07-14T07:30:00+00:00",
            None,
        ),
        FeedItem("https://news.example.com/world/plain", None, "2025-07-13T10:00:00+00:00", None),
    ]


def test_sitemap_index_lists_children() -> None:
    doc = parse_document(INDEX, "https://news.example.com/sitemap.xml")
    assert doc.items == []
    assert doc.children == [
        "https://news.example.com/sitemap-news.xml",
        "https://news.example.com/sitemap-2025-07.xml",
    ]


def test_entity_expansion_is_inert() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://x.example/&b;</loc></url></urlset>"
    )
    doc = parse_document(bomb, "https://x.example/")
    assert all(len(i.url) < 100 for i in doc.items)


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_signature(algorithm: str) -> None:
    header = sign("k", b"body", algorithm)
    assert verify_signature("k", b"body", header)
    assert verify_signature("k", b"body", header.upper().replace(algorithm.upper(), algorithm))
    assert not verify_signature("k", b"body!", header)
    assert not verify_signature("other", b"body", header)
    assert not verify_signature("k", b"body", None)
    assert not verify_signature("k", b"body", "md5=" + header.partition("=")[2])


def test_intent_and_delivery_are_stateless_across_instances() -> None:
    one, two = Subscriber(b"master", "http://a:1"), Subscriber(b"master", "http://b:2")
    topic = "https://news.example.com/feed"
    key = one.key(topic)
    assert two.key(topic) == key and two.secret(topic) == one.secret(topic)
    query = {
        "hub.mode": "subscribe",
        "hub.topic": topic,
        "hub.challenge": "c1",
        "hub.lease_seconds": "600",
    }
    assert two.intent(key, query) == (200, "c1")
    assert two.intent(key, {**query, "hub.topic": "https://evil.example/"})[0] == 404
    assert two.intent(key, {**query, "hub.challenge": ""})[0] == 404
    body = b"<rss/>"
    headers = {
        "Link": f'<https://hub.example/>; rel="hub", <{topic}>; rel="self"',
        "X-Hub-Signature": sign(one.secret(topic), body),
    }
    assert two.delivery(key, body, headers, {}) == (202, topic)
    assert two.delivery(key, body, {**headers, "X-Hub-Signature": "sha256=00"}, {})[0] == 403
    assert two.delivery("0" * 32, body, headers, {})[0] == 404
    assert link_topic(headers["Link"]) == topic
    assert Subscriber(b"other", "http://c").delivery(key, body, headers, {})[0] == 404


@pytest.mark.parametrize(
    ("header", "topic"),
    [
        ('<https://hub.example/>; rel="hub", <https://t.example/feed>; rel="self"',
         "https://t.example/feed"),
        ("<https://t.example/a,b>; REL=self", "https://t.example/a,b"),
        ('<https://t.example/x>; rel="alternate self"', "https://t.example/x"),
        ("<" * 8000, None), ("<a>;" * 2000, None), ("<" * 9000 + ">; rel=self", None),
        ('<https://t.example/x>; rel="hub"', None), ("", None), (None, None),
    ],
)
def test_link_topic_is_bounded_and_linear(header: str | None, topic: str | None) -> None:
    assert link_topic(header) == topic


def test_signature_check_never_raises_on_odd_input() -> None:
    assert not verify_signature("k", b"body", "sha256=tökén")
    assert not verify_signature("k", b"body", "sha256=\udcff")
    sub = Subscriber(b"master", "https://fetcher.example")
    assert sub.intent("tö\udcff", {"hub.topic": "t", "hub.mode": "subscribe"})[0] == 404
    assert sub.delivery("tö", b"x", {"Link": "<t>; rel=self"}, {}) == (404, None)
