from __future__ import annotations

import pytest

from services.cleaner import dates, html, language, metadata


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yahoo14-07-2025", "2025-07-14"),
        ("03.02.2024", "2024-02-03"),
        ("Published 2019-11-19 at noon", "2019-11-19"),
        ("July 14, 2025", "2025-07-14"),
        ("14th Jul 2025", "2025-07-14"),
        ("Monday, 3 March 2025", "2025-03-03"),
        ("45-13-2025", None),
        ("no date here", None),
    ],
)
def test_dates_from_text(text: str, expected: str | None) -> None:
    assert dates.from_text(text) == expected


def test_dates_from_iso_and_url() -> None:
    assert dates.from_iso("2019-11-19") == "2019-11-19"
    assert dates.from_iso("2019-11-19T10:00:00Z") == "2019-11-19T10:00:00+00:00"
    assert dates.from_url("https://x.example/2019/11/19/story.html") == "2019-11-19"
    assert dates.from_url("https://x.example/news/story") is None


def _tree(head: str, body: str = "<p>x</p>") -> object:
    tree = html.parse(f"<html><head>{head}</head><body>{body}</body></html>")
    assert tree is not None
    return tree


def test_metadata_from_json_ld_and_time() -> None:
    ld = (
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
        '"headline": "Ld headline", "publisher": {"name": "Ld Times"}}]}</script>'
    )
    meta = metadata.extract(
        _tree(ld, '<time datetime="2024-05-06">6 May</time>'),  # type: ignore[arg-type]
        "https://x.example/a",
    )
    assert (meta.title, meta.publisher, meta.published) == ("Ld headline", "Ld Times", "2024-05-06")


def test_metadata_falls_back_to_title_tag_and_url_date() -> None:
    tree = _tree(
        "<title>Bridge reopens after repairs | City Paper</title>"
        '<link rel="canonical" href="https://x.example/c">'
    )
    meta = metadata.extract(tree, "https://x.example/2023/01/02/bridge")  # type: ignore[arg-type]
    assert meta.title == "Bridge reopens after repairs"
    assert meta.published == "2023-01-02"
    assert meta.canonical_url == "https://x.example/c"


def test_language_detection_is_offline_and_uses_hint_for_short_text() -> None:
    assert (
        language.detect(
            "Die Regierung hat am Montag einen neuen Haushalt beschlossen, "
            "der mehr Geld für Schulen vorsieht."
        )
        == "de"
    )
    assert language.detect("Hola", hint="es-ES") == "es"
    assert language.detect("", hint=None) is None
