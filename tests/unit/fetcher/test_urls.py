from __future__ import annotations

import hashlib

import pytest

from services.fetcher.urls import article_id, canonical_url, strip_userinfo


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://News.Example.COM:443/a/b?utm_source=x&b=2&a=1#top",
            "https://news.example.com/a/b?a=1&b=2",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        (
            "https://example.com/x?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&utm_campaign=5",
            "https://example.com/x",
        ),
        ("https://example.com/x?id=7&UTM_Medium=rss", "https://example.com/x?id=7"),
        ("  https://example.com/x?q=&z=1  ", "https://example.com/x?q=&z=1"),
        ("https://[2001:DB8::1]:443/p", "https://[2001:db8::1]/p"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("https://Example.com/a?b=2&a=1&utm_x=1#f")
    assert canonical_url(once) == once


def test_not_a_url_is_returned_stripped() -> None:
    assert canonical_url(" not a url ") == "not a url"


def test_article_id_is_sha1_of_canonical_url() -> None:
    a = article_id("https://example.com/story?utm_source=twitter")
    b = article_id("https://EXAMPLE.com/story#comments")
    assert a == b == hashlib.sha1(b"https://example.com/story").hexdigest()


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://bob:s3cret@News.Example/a", "https://news.example/a"),
        ("https://bob@news.example:8443/a", "https://news.example:8443/a"),
        ("https://:pw@news.example/a?utm_source=x", "https://news.example/a"),
    ],
)
def test_userinfo_never_reaches_the_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert article_id(url) == article_id(canonical)


def test_strip_userinfo_keeps_everything_else() -> None:
    assert strip_userinfo("http://u:p@h.example:81/a?b=1#c") == "http://h.example:81/a?b=1#c"
    assert strip_userinfo("http://h.example/a@b") == "http://h.example/a@b"
    assert strip_userinfo("http://[::1") == "http://[::1"
