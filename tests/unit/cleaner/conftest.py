from __future__ import annotations

from pathlib import Path

import pytest

from shared.records import RawArticle
from tests.paths import TEST_DATA

FIXTURES = TEST_DATA / "cleaner"


def raw(
    body: str,
    *,
    url: str = "https://news.example.org/2024/story",
    content_type: str = "text/html",
    title_hint: str | None = None,
    raw_id: str = "id-1",
) -> RawArticle:
    return RawArticle(
        id=raw_id,
        url=url,
        source="test",
        content_type=content_type,
        body=body,
        title_hint=title_hint,
        stamps={"fetched": 1.0},
    )


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
