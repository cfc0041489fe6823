from __future__ import annotations

import pytest

from services.fetcher.feed_formats import FeedError, FeedItem, parse_feed
from tests.paths import TEST_DATA

DATA = TEST_DATA / "fetcher"


def test_rss2() -> None:
    items = parse_feed((DATA / "rss2.xml").read_bytes(), "https://news.example.com/rss")
    assert [i.url for i in items] == [
        "https://news.example.com/world/nk-troops?utm_source=rss&utm_medium=feed",
        "https://news.example.com/world/relative",
        "https://news.example.com/world/guid-only",
    ]
    first = items[0]
    assert first.title == "North Korea to send troops to Russia"
    assert first.published == "2025-07-14T09:30:00+00:00"
    assert first.summary == "Up to 30,000 troops, CNN reports."
    assert items[1].published == "2025-07-14T08:00:00+00:00"  # +0200 normalised to UTC


def test_atom() -> None:
    items = parse_feed((DATA / "atom.xml").read_bytes(), "https://defence.example.org/atom")
    assert items[0] == FeedItem(
        url="https://defence.example.org/2025/07/shells#comments",
        title="Shells shipped to the front",
        published="2025-07-14T07:00:00+00:00",
        summary="About 12 million 152mm shells.",
    )
    assert items[1].published == "2025-07-13T23:15:00+00:00"  # falls back to <updated>


def test_rss1_rdf() -> None:
    items = parse_feed((DATA / "rss1.rdf").read_bytes(), "https://rdf.example.net/rss")
    assert len(items) == 1
    assert items[0].url == "https://rdf.example.net/a/1"
    assert items[0].title == "Kim meets Lavrov"
    assert items[0].published == "2025-07-12T06:00:00+00:00"


def test_json_feed() -> None:
    items = parse_feed((DATA / "feed.json").read_bytes(), "https://json.example.com/feed.json")
    assert [i.url for i in items] == [
        "https://json.example.com/posts/1?fbclid=abc",
        "https://other.example.com/story",
        "https://json.example.com/posts/3",
    ]
    assert items[0].published == "2025-07-14T05:00:00+00:00"
    assert items[1].published == "2025-07-14T04:00:00+00:00"
    assert items[1].summary == "Text only"


def test_rss_0_91() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>t</title>'
        b"<link>https://x.example/</link><item><title>a</title>"
        b"<link>https://x.example/a</link></item></channel></rss>"
    )
    assert [i.url for i in parse_feed(body, "https://x.example/rss")] == ["https://x.example/a"]


@pytest.mark.parametrize(
    "body",
    [
        (DATA / "malformed.xml").read_bytes(),
        b"<html><body>not a feed</body></html>",
        b"",
        b"{not json",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "no items"}',
    ],
)
def test_malformed_raises(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, "https://x.example/rss")


def test_empty_but_valid_feed_is_empty() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(body, "https://x.example/rss") == []
