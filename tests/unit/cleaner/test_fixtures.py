"""Own fixtures: each boilerplate kind in HTML and text dumps, and each bad input."""

from __future__ import annotations

import pytest

from services.cleaner import Cleaner, Unusable, clean
from tests.unit.cleaner.conftest import fixture_text, raw

ARTICLE_URL = "https://ledger.example.org/news/2024/03/05/ferry-line"


def test_html_article_body_and_metadata() -> None:
    article = Cleaner().clean(raw(fixture_text("article.html"), url=ARTICLE_URL))
    paragraphs = article.text.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The port authority launched a ferry service")
    assert paragraphs[-1].endswith("already being studied by engineers.")
    assert article.title == "Harbour city opens new ferry line"
    assert article.publisher == "The Coastal Ledger"
    assert article.published is not None and article.published.startswith("2024-03-05")
    assert article.language == "en"
    assert article.word_count == len(article.text.split()) or article.word_count > 90


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Share",
        "Tweet",
        "Photo: Ann Example",
        "Read more",
        "newsletter",
        "Related Articles",
        "Storm closes",
        "Fishing fleet",
        "No comments",
        "Copyright",
        "Home",
    ],
)
def test_html_boilerplate_is_dropped(boilerplate: str) -> None:
    article = Cleaner().clean(raw(fixture_text("article.html"), url=ARTICLE_URL))
    assert boilerplate not in article.text


def test_text_dump_story_and_metadata() -> None:
    article = Cleaner().clean(raw(fixture_text("dump.txt"), content_type="text/plain"))
    paragraphs = article.text.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The mountain rail tunnel reopened")
    assert paragraphs[-1].endswith("a few minutes ahead of the timetable.")
    assert article.title == "Mountain rail tunnel reopens after six months of repairs"
    assert article.publisher == "Valley Gazette"
    assert article.original_publisher == "Alpine Courier"
    assert article.published == "2024-02-03"  # 03-02-2024 is read day first


def test_text_dump_never_leaks_related_teasers() -> None:
    article = Cleaner().clean(raw(fixture_text("dump.txt"), content_type="text/plain"))
    for leak in ("Ski resorts", "Try Our AI", "Explore what", "Download", "app-store", "logo"):
        assert leak not in article.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("consent.html", "consent_stub"),
        ("paywall.html", "paywall_stub"),
        ("empty.html", "no_body"),
    ],
)
def test_stub_pages_are_unusable(name: str, reason: str) -> None:
    with pytest.raises(Unusable) as info:
        Cleaner().clean(raw(fixture_text(name)))
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("", "text/html", "no_body"),
        ("   \n\t ", "text/plain", "no_body"),
        ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "text/html", "binary"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/html", "binary"),
        ("abc\x00\x01\x02\x03def\x04\x05" * 50, "text/plain", "binary"),
        ('{"items": [1, 2, 3]}', "text/html", "not_html"),
        ("<?xml version='1.0'?><rss><channel></channel></rss>", "text/html", "not_html"),
        ("plain words", "application/pdf", "not_html"),
        ("\ufffd\ufffd text \ufffd" * 200, "text/plain", "bad_encoding"),
        ("<html><body><p>Too short.</p></body></html>", "text/html", "no_body"),
    ],
)
def test_bad_inputs_are_unusable(body: str, content_type: str, reason: str) -> None:
    with pytest.raises(Unusable) as info:
        Cleaner().clean(raw(body, content_type=content_type))
    assert info.value.reason == reason


def test_too_large_input_is_refused_before_parsing() -> None:
    body = "<html><body>" + "<p>" + "word " * 1_100_000 + "</p></body></html>"
    with pytest.raises(Unusable) as info:
        Cleaner().clean(raw(body))
    assert info.value.reason == "too_large"


def test_deep_dom_is_handled() -> None:
    paragraph = "<p>" + "The council met on Monday to discuss the new harbour budget. " * 5 + "</p>"
    body = "<html><body>" + "<div>" * 5000 + paragraph * 3 + "</div>" * 5000 + "</body></html>"
    try:
        article = Cleaner().clean(raw(body))
    except Unusable as exc:
        assert exc.reason == "no_body"
    else:
        assert "harbour budget" in article.text


def test_mojibake_is_repaired() -> None:
    story = (
        "Café owners in Zürich said the new rules were ’too strict’ and that many "
        "businesses would struggle to adapt before the winter season begins next month."
    )
    broken = (story + "\n").encode("utf-8").decode("cp1252") * 3
    article = Cleaner().clean(raw(broken, content_type="text/plain"))
    assert "Café owners in Zürich" in article.text
    assert "Ã" not in article.text


def test_exact_duplicate_is_unusable_but_other_cleaners_accept_it() -> None:
    cleaner = Cleaner()
    body = fixture_text("article.html")
    cleaner.clean(raw(body, url=ARTICLE_URL))
    with pytest.raises(Unusable) as info:
        cleaner.clean(raw(body, url=ARTICLE_URL + "?utm=x", raw_id="id-2"))
    assert info.value.reason == "duplicate"
    assert Cleaner().clean(raw(body, url=ARTICLE_URL)).text


def test_module_level_clean_uses_a_default_cleaner() -> None:
    article = clean(
        raw(
            fixture_text("dump.txt"),
            content_type="text/plain",
            url="https://gazette.example.net/module-level",
        )
    )
    assert article.original_publisher == "Alpine Courier"
