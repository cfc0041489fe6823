"""The brief's eight events, read from the sample article's story paragraphs."""

from __future__ import annotations

import pytest

from services.enricher import Enricher
from shared.records import EnrichedArticle, Event
from tests.paths import SEED_ARTICLE, require_shared

from .conftest import article, roles


@pytest.fixture(scope="module")
def sample(enricher: Enricher) -> EnrichedArticle:
    text = require_shared(SEED_ARTICLE).read_text(encoding="utf-8")
    story = text[text.index("Kim Jong Un is pledging") : text.index("Read the original article")]
    return enricher.enrich(article(story.strip(), "seed"))


def find(result: EnrichedArticle, etype: str, lo: float | None = None,
         sender: str | None = None) -> Event:
    for e in result.events:
        if e.type == etype and (
            lo is None or (e.quantity and e.quantity.max >= lo and e.quantity.min <= lo)
        ) and (sender is None or ("sender", sender) in roles(e)):
            return e
    raise AssertionError(f"no {etype} with {lo}: {[(e.type, e.quantity) for e in result.events]}")


def test_1_planned_deployment_reported_and_disputed(sample: EnrichedArticle) -> None:
    [e] = [e for e in sample.events if e.type == "troop_deployment" and e.quantity
           and (e.quantity.min, e.quantity.max) == (25_000, 30_000)]
    assert {("sender", "KP"), ("recipient", "RU")} <= roles(e)
    # a planned deployment that Ukraine's GUR says it has "no information" about
    assert e.status in ("planned", "disputed") and e.disputed_by == ("GUR",)
    assert e.time_text == "on July 2" and e.direction == "send"
    assert e.attribution == ("CNN", "Ukrainian intelligence", "Western official")


def test_2_completed_deployment_in_kursk(sample: EnrichedArticle) -> None:
    e = find(sample, "troop_deployment", 11_000)
    assert {("sender", "KP"), ("recipient", "RU")} <= roles(e)
    assert e.status == "completed" and e.location and e.location.name == "Kursk"
    assert e.quantity and e.quantity.approximate


def test_3_casualties(sample: EnrichedArticle) -> None:
    e = find(sample, "casualties", 6_000)
    assert ("victim", "KP") in roles(e) and e.status == "estimated"
    assert e.quantity and e.quantity.unit == "killed_or_wounded"
    assert e.attribution == ("Western estimates",)


def test_4_shells_from_north_korea(sample: EnrichedArticle) -> None:
    e = find(sample, "arms_transfer", 12e6)
    assert {("sender", "KP"), ("recipient", "RU")} <= roles(e)
    assert e.status == "estimated" and e.quantity and e.quantity.calibre == "152mm"
    assert "NIS" in e.attribution


def test_5_us_shells_to_ukraine(sample: EnrichedArticle) -> None:
    e = find(sample, "arms_transfer", 3e6)
    assert {("sender", "US"), ("recipient", "UA")} <= roles(e)
    assert e.attribution == ("United States",) and e.status in ("completed", "confirmed")
    assert e.quantity and e.quantity.calibre == "155mm"
    assert not e.background  # "since the start of the war in 2022" is a running total


def test_6_pledged_personnel_with_structured_breakdown(sample: EnrichedArticle) -> None:
    e = find(sample, "troop_deployment", 6_000)
    assert {("sender", "KP"), ("recipient", "RU")} <= roles(e)
    assert e.status == "pledged" and e.attribution == ("Sergei Shoigu",)
    assert e.location and e.location.name == "Kursk" and e.location.country == "RU"
    assert e.quantity and e.quantity.unit == "personnel" and e.quantity.max == 6_000
    # the breakdown is structured, and the parts are not events of their own
    assert [(p.min, p.max, p.unit) for p in e.breakdown] == [
        (1000, 1000, "sappers"), (5000, 5000, "construction workers")]
    assert e.breakdown[0].approximate  # "at least 1,000"


def test_7_unconditional_support(sample: EnrichedArticle) -> None:
    e = find(sample, "military_support")
    assert {("supporter", "Kim Jong Un"), ("supporter", "KP"), ("recipient", "RU")} <= roles(e)
    assert e.status == "pledged"


def test_8_kim_met_lavrov(sample: EnrichedArticle) -> None:
    e = find(sample, "diplomatic_contact")
    assert {("participant", "Kim Jong Un"), ("participant", "Sergey Lavrov")} <= roles(e)


def test_one_event_per_occurrence_and_story_id(sample: EnrichedArticle) -> None:
    shells = [e for e in sample.events if e.type == "arms_transfer" and e.quantity
              and e.quantity.max == 12e6]
    assert len(shells) == 1 and shells[0].mentions == 2  # two sentences, one delivery
    assert not [e for e in sample.events if e.quantity and e.quantity.unit == "sappers"]
    assert sample.story_id.startswith("ev-")
    assert len({e.signature for e in sample.events}) == len(sample.events)
