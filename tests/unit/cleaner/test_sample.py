"""The seed article (a text dump from ../shared) must yield exactly its story and metadata."""

from __future__ import annotations

from services.cleaner import Cleaner
from tests.paths import SEED_ARTICLE, require_shared
from tests.unit.cleaner.conftest import raw

FIRST = "Kim Jong Un is pledging to"
LAST = "technological assistance for its space and arms programs."
TITLE = (
    "Kim Jong Un says he'll 'unconditionally support' Russia's war amid a report he's "
    "sending 30,000 more troops against Ukraine"
)


def _story_lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(FIRST))
    end = next(i for i, line in enumerate(lines) if line.endswith(LAST))
    return [line for line in lines[start : end + 1] if line]


def test_seed_article_yields_exactly_its_story() -> None:
    text = require_shared(SEED_ARTICLE).read_text(encoding="utf-8")
    source = raw(text, url="https://example.com/news/kim", content_type="text/plain")
    article = Cleaner().clean(source)
    assert article.text.split("\n") == _story_lines(text)
    assert article.title == TITLE
    assert article.publisher == "Yahoo"
    assert article.original_publisher == "Business Insider"
    assert article.published == "2025-07-14"
    assert article.language == "en"
    for leak in ("Powell", "Zelenskyy", "Related Articles", "Download", "Comments", "logo"):
        assert leak not in article.text


def test_seed_article_copies_identity_fields() -> None:
    text = require_shared(SEED_ARTICLE).read_text(encoding="utf-8")
    source = raw(text, url="https://example.com/a", content_type="text/plain")
    article = Cleaner().clean(source)
    assert (article.id, article.url, article.source, article.stamps) == (
        source.id,
        source.url,
        source.source,
        source.stamps,
    )
    assert article.word_count > 300
    assert len(article.simhash) == 16 and len(article.content_hash) == 40


def test_seed_article_sniffed_even_when_labelled_html() -> None:
    text = require_shared(SEED_ARTICLE).read_text(encoding="utf-8")
    article = Cleaner().clean(raw(text, content_type="text/html"))
    assert article.text.split("\n") == _story_lines(text)
