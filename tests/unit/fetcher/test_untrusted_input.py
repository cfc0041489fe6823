"""Properties of the fetcher's readers on arbitrary bytes: page decoding never raises, and the
feed reader raises nothing but FeedError, on bounded work (nesting, dates, charsets)."""

from __future__ import annotations

import codecs
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.fetcher.feed_formats import FeedError, parse_document
from services.fetcher.text import decode_body, known_encoding

HOSTILE_CHARSETS = ["base64", "rot13", "hex", "zlib", "idna", "bz2", "uu", "quopri",
                    "punycode", "unicode_escape", "x" * 500, "utf-8\x00", ""]


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_charset_that_is_no_text_encoding_is_ignored(charset: str, where: str) -> None:
    body = f'<html><head><meta charset="{charset}"></head><p>héllo</p></html>'.encode()
    text = decode_body(body, "text/html", charset if where == "header" else None)
    assert "héllo" in text


@given(st.binary(max_size=2000), st.sampled_from([*HOSTILE_CHARSETS, "utf-8", "latin-1",
                                                    "utf-16", "cp1252", None]))
def test_decode_body_never_raises(body: bytes, charset: str | None) -> None:
    assert isinstance(decode_body(body, "text/html", charset), str)


@given(st.text(max_size=30))
def test_known_encoding_names_only_text_codecs(name: str) -> None:
    found = known_encoding(name)
    if found is not None:
        assert codecs.lookup(found)._is_text_encoding  # type: ignore[attr-defined]


@pytest.mark.parametrize("stamp", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_json_feed_dates_out_of_range_are_no_date(stamp: str) -> None:
    body = json.dumps({"items": [{"url": "https://example.org/a", "date_published": stamp}]})
    [item] = parse_document(body.encode(), "https://example.org/feed.json").items
    assert item.published is None


def test_deep_json_is_a_feed_error_not_a_recursion_error() -> None:
    with pytest.raises(FeedError):
        parse_document(b"[" * 200_000, "https://example.org/feed.json")


def test_a_bom_json_feed_is_read() -> None:
    body = b'\xef\xbb\xbf{"items": [{"url": "https://example.org/a"}]}'
    assert [i.url for i in parse_document(body, "https://example.org/f").items] == [
        "https://example.org/a"]


def test_item_urls_resolve_against_where_we_fetched_never_the_feed_url() -> None:
    fetched = "https://example.org/x/feed.json"
    for feed_url in ("/other/feed.json", "https://elsewhere.example/feed.json"):
        body = b'{"feed_url": "%s", "items": [{"url": "a/b"}]}' % feed_url.encode()
        [item] = parse_document(body, fetched).items
        assert item.url == "https://example.org/x/a/b"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["items", "url", "id", "title", "date_published", "feed_url",
                         "external_url", "summary", "content_text", "date_modified"]),
        inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300)
@given(JSONISH)
def test_any_json_document_is_read_or_refused_with_feed_error(doc: object) -> None:
    _read_or_refused(json.dumps(doc).encode())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_with_feed_error(body: bytes) -> None:
    _read_or_refused(b"<rss version='2.0'><channel>" + body)


def _read_or_refused(body: bytes) -> None:
    try:
        doc = parse_document(body, "https://example.org/feed")
    except FeedError as exc:
        assert str(exc)
        return
    assert all(isinstance(i.url, str) and i.url for i in doc.items)
    assert all(i.published is None or i.published[:1].isdigit() for i in doc.items)
