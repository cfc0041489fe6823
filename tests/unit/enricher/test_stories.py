from __future__ import annotations

from services.enricher import Enricher, enrich
from services.enricher.stories import StoryIndex, magnitude, simhash64
from shared.records import Quantity

from .conftest import article

REPORT_A = (
    "North Korea is planning to send 25,000 to 30,000 troops to Russia, CNN reported on "
    "Wednesday, citing a Ukrainian intelligence assessment.\n"
    "Kim Jong Un met Russia's foreign minister Sergey Lavrov in Wonsan on Saturday."
)
REPORT_B = (
    "Pyongyang is preparing to dispatch as many as 30,000 more soldiers to Russia in the coming "
    "months, "
    "according to Ukrainian intelligence cited by American media.\n"
    "The plan surfaced days after Sergei Lavrov held talks with Kim Jong Un."
)


def test_same_story_two_outlets_same_id(enricher: Enricher) -> None:
    a = enricher.enrich(article(REPORT_A, "a"))
    b = Enricher().enrich(article(REPORT_B, "b"))  # an independent instance
    assert a.story_id == b.story_id and a.story_id.startswith("ev-")
    sig_a = {e.signature for e in a.events}
    assert {e.signature for e in b.events} & sig_a


def test_unrelated_story_differs(enricher: Enricher) -> None:
    c = enricher.enrich(article("Israel called up 60,000 reservists on Monday.", "c"))
    assert c.story_id != enricher.enrich(article(REPORT_A, "a")).story_id


def test_fallback_to_simhash(enricher: Enricher) -> None:
    r = enricher.enrich(article("Markets were calm today.", "d", simhash="abcdef0123456789"))
    assert r.story_id == "sh-abcde"


def test_magnitude_buckets() -> None:
    def q(hi: float) -> Quantity:
        return Quantity(min=0, max=hi, unit="troops")

    assert magnitude(q(30_000)) == magnitude(q(25_000)) == "4:2"
    assert magnitude(q(11_000)) != magnitude(q(30_000))
    assert magnitude(None) == "-"


def test_story_index_groups_near_duplicates() -> None:
    index = StoryIndex(capacity=2, max_distance=3)
    first = index.assign(article("x", "1", simhash="ffff000000000000"), "sh-1")
    assert index.assign(article("y", "2", simhash="ffff000000000003"), "sh-2") == first
    assert index.assign(article("z", "3", simhash="0000ffffffff0000"), "sh-3") == "sh-3"
    index.assign(article("w", "4", simhash="1234567812345678"), "sh-4")
    assert len(index) == 2


def test_simhash64_is_stable() -> None:
    assert simhash64("one two three four") == simhash64("one two three four")


def test_module_level_enrich() -> None:
    assert enrich(article("Russia fired 12 missiles at Kyiv.", "m")).events
