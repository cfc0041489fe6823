from __future__ import annotations

from pathlib import Path

import pytest

from services.fetcher.sources import DEFAULT_SOURCES, Source, SourcesError, load_sources
from tests.paths import TEST_DATA


def test_valid_file() -> None:
    sources = load_sources(TEST_DATA / "fetcher" / "sources_ok.yaml")
    assert sources == [
        Source("One", "https://one.example.com/rss"),
        Source("Two", "https://two.example.com/feed", 60.0, {"region": "europe", "priority": "1"}),
    ]


def test_default_feed_list_is_valid() -> None:
    sources = load_sources(DEFAULT_SOURCES)
    assert len(sources) >= 15
    assert all(s.url.startswith("https://") for s in sources)


BAD = [
    ("sources:\n  - name: A\n    url: ftp://x.example/rss\n", 3, "sources[0].url"),
    ("sources:\n  - name: A\n    url: https://a.example/\n  - name: B\n", 4, "sources[1].url"),
    (
        "sources:\n  - name: A\n    url: https://a.example/\n    interval_s: 1\n",
        4,
        "sources[0].interval_s",
    ),
    (
        "sources:\n  - name: A\n    url: https://a.example/\n    interval_s: soon\n",
        4,
        "sources[0].interval_s",
    ),
    (
        "sources:\n  - name: A\n    url: https://a.example/\n    colour: red\n",
        4,
        "sources[0].colour",
    ),
    (
        "sources:\n  - name: A\n    url: https://a.example/\n    tags: [a, b]\n",
        4,
        "sources[0].tags",
    ),
    (
        "sources:\n  - name: A\n    url: https://a.example/\n  - name: A\n    url: https://b.example/\n",
        4,
        "sources[1].name",
    ),
    ("sources:\n  - name: ''\n    url: https://a.example/\n", 2, "sources[0].name"),
    ("sources:\n  - name: A\n    url: [https://a.example/\n", 4, "yaml"),
    ("feeds: []\n", 1, "feeds"),
    ("sources: {name: A}\n", 1, "sources"),
]


@pytest.mark.parametrize(("text", "line", "field"), BAD)
def test_invalid_file_names_line_and_field(
    tmp_path: Path, text: str, line: int, field: str
) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    err = caught.value
    assert (err.line, err.field) == (line, field), str(err)
    assert str(err).startswith(f"{path}:{line}: {field}: ")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "absent.yaml")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(SourcesError, match="empty"):
        load_sources(tmp_path / "empty.yaml")
