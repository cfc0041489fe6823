"""What POST /articles takes: every field type-checked, so a bad body is a 400, never a 500."""

from __future__ import annotations

import orjson
import pytest

from services.fetcher.intake_faust import MAX_URL_CHARS, authorised, pushed


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"url": 5, "text": "x"}, "url: expected a string"),
        ({"url": {"a": 1}, "text": "x"}, "url: expected a string"),
        ({"title": {"a": 1}, "text": "x"}, "title: expected a string"),
        ({"title": ["t"], "html": "<p>x</p>"}, "title: expected a string"),
        ({"text": 3}, "text: expected a string"),
        ({"html": None, "text": None}, "expected an object with 'html' or 'text'"),
        ({"url": "ftp://x.example/a", "text": "x"}, "url: expected an absolute http(s) URL"),
        ({"url": "/relative", "text": "x"}, "url: expected an absolute http(s) URL"),
        ({"url": "http://[::1", "text": "x"}, "url: expected an absolute http(s) URL"),
        ({"url": "https://x.example/" + "a" * MAX_URL_CHARS, "text": "x"}, "url: longer than"),
        ([1, 2], "expected an object"),
        ("text", "expected an object"),
    ],
)
def test_ill_typed_pushes_are_value_errors(body: object, error: str) -> None:
    with pytest.raises(ValueError, match="^" + error.replace("(", r"\(").replace(")", r"\)")):
        pushed(orjson.dumps(body), "application/json")


def test_a_well_formed_push() -> None:
    body = {"url": "https://bob:pw@News.example/a?utm_source=x", "title": "T", "html": "<p>x</p>"}
    article = pushed(orjson.dumps(body), "application/json; charset=utf-8")
    assert article.url == "https://news.example/a" and article.title_hint == "T"
    assert article.content_type == "text/html" and "fetched" in article.stamps


def test_the_push_token_check_never_raises() -> None:
    from shared.settings import Settings

    settings = Settings(push_token="pushtoken")
    assert authorised(settings, "Bearer pushtoken")
    for header in ("Bearer pushtokén", "Bearer \udcff\udcfe", "", "pushtoken", "Bearer  pushtoken"):
        assert not authorised(settings, header)
    assert authorised(Settings(), "anything")  # no token: loopback only (check_exposure)
