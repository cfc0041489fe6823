"""Property tests: whatever the input, the cleaner returns an article or raises Unusable."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.cleaner import Cleaner, Unusable
from services.cleaner.body_checks import MAX_CHARS
from shared.records import CleanArticle
from tests.unit.cleaner.conftest import raw

TAGS = [
    "p",
    "div",
    "span",
    "article",
    "h1",
    "script",
    "style",
    "a",
    "li",
    "ul",
    "table",
    "td",
    "body",
    "html",
    "head",
    "title",
    "meta",
    "time",
    "br",
    "img",
    "!--",
    "![CDATA[",
]
WORDS = st.sampled_from(
    [
        "the",
        "army",
        "said",
        "troops",
        "Kyiv",
        "Comments",
        "Related Articles",
        "Share",
        "14-07-2025",
        "©",
        "\x00",
        "\ufffd",
        "Ã©",
        "&amp;",
        "<",
        ">",
        "Read the original article on X",
        ".",
        "\n",
        "logo",
        "{",
        "}",
    ]
)
PROSE = st.lists(WORDS, max_size=200).map(" ".join)
ELEMENT = st.tuples(st.sampled_from(TAGS), PROSE, st.booleans()).map(
    lambda t: f"<{t[0]}>{t[1]}" + (f"</{t[0]}>" if t[2] else "")
)
MARKUP = st.lists(ELEMENT, max_size=40).map("".join)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(body: str, content_type: str) -> None:
    try:
        article = Cleaner().clean(raw(body, content_type=content_type))
    except Unusable as exc:
        assert exc.reason
        return
    assert isinstance(article, CleanArticle)
    assert article.text.strip() and "\n\n" not in article.text
    assert article.word_count <= len(body)  # never more text out than came in
    assert len(article.simhash) == 16


@SETTINGS
@given(st.text(max_size=3000), st.sampled_from(["text/html", "text/plain", "", "image/png"]))
def test_any_text_is_cleaned_or_unusable(body: str, content_type: str) -> None:
    _check(body, content_type)


@SETTINGS
@given(MARKUP)
def test_any_markup_is_cleaned_or_unusable(body: str) -> None:
    _check(body, "text/html")


@SETTINGS
@given(st.lists(PROSE, max_size=30).map("\n".join))
def test_any_text_dump_is_cleaned_or_unusable(body: str) -> None:
    _check(body, "text/plain")


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=1, max_value=1000))
def test_bodies_over_the_budget_are_refused(extra: int) -> None:
    try:
        Cleaner().clean(raw("a" * (MAX_CHARS + extra)))
    except Unusable as exc:
        assert exc.reason == "too_large"
    else:
        raise AssertionError("oversized body accepted")
