from __future__ import annotations

import pytest

from services.enricher import Enricher
from shared.records import CleanArticle, EnrichedArticle, Event


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher()


def article(text: str, id_: str = "a1", simhash: str = "") -> CleanArticle:
    return CleanArticle(
        id=id_,
        url=f"https://example.test/{id_}",
        source="test",
        title=None,
        text=text,
        simhash=simhash,
        stamps={"fetched": 1.0, "cleaned": 2.0},
    )


def run(enricher: Enricher, text: str) -> EnrichedArticle:
    return enricher.enrich(article(text))


def of_type(result: EnrichedArticle, etype: str) -> list[Event]:
    return [e for e in result.events if e.type == etype]


def roles(event: Event) -> set[tuple[str, str]]:
    return {(a.role, a.code or a.name) for a in event.actors}
