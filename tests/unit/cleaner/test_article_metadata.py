"""canonical_url, authors, modified and published dates, including the usual date traps:
"updated" vs "published", related stories' dates in sidebars and JSON-LD lists, copyright
years and URL dates. Fixtures in tests/data/cleaner/dates are written for these tests."""

from __future__ import annotations

import pytest

from services.cleaner import Cleaner, html, metadata
from tests.unit.cleaner.conftest import FIXTURES, raw


def _clean(name: str, url: str, content_type: str = "text/html"):  # type: ignore[no-untyped-def]
    body = (FIXTURES / "dates" / name).read_text(encoding="utf-8")
    return Cleaner().clean(raw(body, url=url, content_type=content_type))


def _meta(head: str, body: str = "<p>x</p>", url: str = "https://x.example/a") -> metadata.Metadata:
    tree = html.parse(f"<html><head>{head}</head><body>{body}</body></html>")
    assert tree is not None
    return metadata.extract(tree, url)


def test_updated_is_not_published_and_sidebar_dates_are_ignored() -> None:
    # The URL carries a (wrong) date; the visible "Updated" date comes first; the related
    # stories have later dates; the footer has a copyright year.
    article = _clean("updated_vs_published.html", "https://tribune.example/2024/06/01/budget")
    assert article.published == "2024-06-10T07:00:00+00:00"
    assert article.modified == "2024-06-12T09:15:00+00:00"
    assert article.authors == ("Maria Lopez", "Tom Berg")  # the profile-URL author is skipped
    assert article.canonical_url is None
    assert "Ferry fares" not in article.text


def test_sidebar_before_the_story_and_copyright_years() -> None:
    article = _clean("sidebar_first.html", "https://echo.example/news/storm-railway")
    assert article.published == "2022-12-01"
    assert article.modified is None
    assert article.authors == ("Ann Keller",)


def test_json_ld_own_article_beats_webpage_and_related_list() -> None:
    article = _clean("jsonld_related.html", "https://wire.example.com/world/grain?utm=x")
    assert article.published == "2024-05-03T08:00:00+02:00"
    assert article.modified == "2024-05-04T18:00:00+02:00"
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.canonical_url == "https://wire.example.com/world/grain-exports-resume"
    assert article.publisher == "Wire Example"


def test_url_date_is_the_last_resort_and_copyright_year_is_no_date() -> None:
    article = _clean("url_date_only.html", "https://crier.example/2021/03/09/library-hours")
    assert article.published == "2021-03-09"
    undated = _clean("url_date_only.html", "https://crier.example/news/275221/library-hours")
    assert undated.published is None


def test_text_dump_updated_line_and_byline() -> None:
    article = _clean("updated_dump.txt", "https://post.example/flood", "text/plain")
    assert article.published == "2024-09-15"
    assert article.modified == "2024-09-16"
    assert article.publisher == "Riverside Post"
    assert article.authors == ("Jane Doe", "John Roe")
    assert "By Jane Doe" not in article.text and "Updated" not in article.text
    assert article.text.startswith("Engineers raised the new flood barrier")


def test_meta_modified_time_and_canonical_fallbacks() -> None:
    found = _meta(
        '<meta property="article:published_time" content="2023-04-01T10:00:00Z">'
        '<meta property="og:updated_time" content="2023-04-02T11:00:00Z">'
        '<meta property="og:url" content="https://x.example/story">'
    )
    assert found.published == "2023-04-01T10:00:00+00:00"
    assert found.modified == "2023-04-02T11:00:00+00:00"
    assert found.canonical_url == "https://x.example/story"
    relative = _meta('<link rel="canonical" href="/b/c">', url="https://x.example/a/?q=1")
    assert relative.canonical_url == "https://x.example/b/c"
    assert _meta('<link rel="canonical" href="javascript:void(0)">').canonical_url is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("Jane Doe, John Roe and Ann Lee", ("Jane Doe", "John Roe", "Ann Lee")),
        ("jane doe | JANE DOE", ("jane doe",)),
        ("https://www.facebook.com/someone", ()),
        ("@handle", ()),
        (
            [{"@type": "Person", "name": "A. Writer"}, {"name": "B. Writer"}],
            ("A. Writer", "B. Writer"),
        ),
        ({"@type": "Person", "name": "Solo Author"}, ("Solo Author",)),
        ("", ()),
    ],
)
def test_clean_authors(value: object, expected: tuple[str, ...]) -> None:
    assert metadata.clean_authors(value) == expected


def test_json_ld_author_wins_over_meta_and_bad_json_is_ignored() -> None:
    head = (
        '<meta name="author" content="Desk Editor">'
        '<script type="application/ld+json">{not json</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"author": {"@type": "Person", "name": "Real Reporter"}}</script>'
    )
    assert _meta(head).authors == ("Real Reporter",)
    assert _meta('<meta name="author" content="Desk Editor">').authors == ("Desk Editor",)


def test_deeply_nested_json_ld_does_not_crash() -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    found = _meta(f'<script type="application/ld+json">{deep}</script>')
    assert found.authors == () and found.published is None
