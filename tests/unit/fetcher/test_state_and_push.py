from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from services.fetcher.local_state import FetchState, MemoryFetchState, SqliteFetchState
from services.fetcher.poller import push_article
from services.fetcher.text import decode_body
from services.fetcher.urls import article_id


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_state_round_trip(tmp_path: Path, kind: str) -> None:
    state: FetchState = (
        MemoryFetchState() if kind == "memory" else SqliteFetchState(tmp_path / "s.db")
    )
    assert isinstance(state, FetchState)
    assert not state.seen("k")
    state.add("k")
    state.add("k")
    assert state.seen("k")
    assert state.get_validators("u") is None
    state.put_validators("u", '"v1"', None)
    assert state.get_validators("u") == ('"v1"', None)
    state.put_validators("u", None, "Mon, 14 Jul 2025 09:30:00 GMT")
    assert state.get_validators("u") == (None, "Mon, 14 Jul 2025 09:30:00 GMT")
    state.put_validators("u", None, None)
    assert state.get_validators("u") is None


def test_sqlite_state_survives_reopen(tmp_path: Path) -> None:
    state = SqliteFetchState(tmp_path / "s.db")
    state.add("a")
    state.put_validators("u", '"e"', "lm")
    state.close()
    again = SqliteFetchState(tmp_path / "s.db")
    assert again.seen("a") and again.get_validators("u") == ('"e"', "lm")
    assert again.prune(older_than_s=3600) == 0
    again.close()


def test_push_article_with_url() -> None:
    art = push_article(
        "https://Example.com/a?utm_source=x", "<p>hi</p>", "text/html; charset=utf-8", title="T"
    )
    assert art.url == "https://example.com/a"
    assert art.id == article_id("https://example.com/a")
    assert (art.source, art.content_type, art.title_hint) == ("push", "text/html", "T")
    assert "fetched" in art.stamps


def test_push_article_without_url_uses_body_hash() -> None:
    art = push_article(None, "plain text", "text/plain", source="file:/tmp/a.txt")
    assert art.id == hashlib.sha1(b"plain text").hexdigest()
    assert (art.url, art.source) == ("", "file:/tmp/a.txt")


def test_push_article_refuses_other_types() -> None:
    with pytest.raises(ValueError, match="image/png"):
        push_article(None, "x", "image/png")


def test_decode_body() -> None:
    assert decode_body("é".encode("cp1252"), "text/plain", None) == "é"
    assert decode_body("é".encode(), "text/html", None) == "é"
    html = b'<meta charset="iso-8859-1"><p>' + "é".encode("latin-1")
    assert decode_body(html, "text/html", None).endswith("é")
    assert decode_body("ж".encode("koi8-r"), "text/plain", "koi8-r") == "ж"
    assert decode_body(b"\xff\xfe", "text/plain", "no-such-charset") == "\xff\xfe".encode(
        "latin-1"
    ).decode("cp1252")
