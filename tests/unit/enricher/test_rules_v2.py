"""Negation scope, relative-clause attacks, "the two sides", anaphoric transfers, breakdowns
and the word-start scan (sentences here are in no labelled corpus)."""

from __future__ import annotations

import random

from services.enricher import Enricher
from services.enricher.lexicon import TRIGGER
from services.enricher.stories import simhash64

from .conftest import of_type, roles, run


def test_negated_transfer_is_not_a_pledge(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Austria pledged 200 million euros in humanitarian support for Ukraine, "
        "but said it would not supply any weapons.",
    )
    assert of_type(r, "arms_transfer") == []


def test_governing_verb_keeps_quantity_status(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Norway will send 8 tanks to Ukraine, the minister said, after it became "
        "the latest country to supply tanks.",
    )
    [e] = of_type(r, "arms_transfer")
    assert e.status == "planned" and e.quantity and e.quantity.max == 8


def test_weapons_fired_later_in_relative_clause_is_no_attack(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Iran has shipped drones to Russia which were then launched at Ukraine, officials said.",
    )
    assert of_type(r, "attack") == []
    assert of_type(r, "arms_transfer")


def test_two_sides_are_the_meeting_parties(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Sergey Lavrov met Wang Yi in Beijing to discuss Ukraine's air defences "
        "and Iran. The two sides agreed to expand joint training.",
    )
    [c] = of_type(r, "diplomatic_contact")
    assert not {k for _, k in roles(c)} & {"UA", "IR"}
    [s] = of_type(r, "military_support")
    assert {k for _, k in roles(s)} == {"RU", "CN"} and s.status == "pledged"


def test_anaphoric_transfer_completes_earlier_one(enricher: Enricher) -> None:
    r = run(
        enricher,
        "The White House announced a new aid package for Ukraine with Stinger "
        "missiles. The United States will ship the missiles next month.",
    )
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "US"), ("recipient", "UA")} <= roles(e)


def test_distinct_quantities_stay_distinct(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Italy plans to supply Ukraine with 16 howitzers by the end of the year. "
        "Rome delivered its first 12 howitzers to Kyiv in the spring.",
    )
    assert sorted(e.quantity.max for e in of_type(r, "arms_transfer") if e.quantity) == [12, 16]


def test_breakdown_itemises_total_without_new_event(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Belarus has pledged 3,000 personnel to Russia, officials said. At least "
        "1,000 of these people would be engineers, while another 2,000 would help "
        "with logistics.",
    )
    [e] = of_type(r, "troop_deployment")
    assert e.quantity and e.quantity.max == 3000 and e.quantity.unit == "personnel"
    assert [(p.max, p.unit, p.approximate) for p in e.breakdown] == [
        (1000, "engineers", True), (2000, "logistics workers", False)]


def test_training_recruits_is_support(enricher: Enricher) -> None:
    r = run(enricher, "Canada has trained 40,000 Ukrainian recruits, the defence ministry said.")
    [e] = of_type(r, "military_support")
    assert {("supporter", "CA"), ("recipient", "UA")} <= roles(e)


def test_trigger_scan_only_at_word_starts(enricher: Enricher) -> None:
    text = "the government said the statement was made."
    # "men" in government, "aid" in said, "arm" in army... are no trigger hits
    assert [p for p, kind in enricher.lex.scan(text) if kind & TRIGGER] == []
    text = 'anti-tank mines were sent; "support" grew (aid).'
    found = {text[p:p + 7].split()[0].strip('";().') for p, _ in enricher.lex.scan(text)}
    assert found >= {"mines", "sent", "support", "aid"}


def _reference_simhash(text: str) -> int:  # the original per-bit loop
    import hashlib

    words = text.lower().split()
    weights = [0] * 64
    for i in range(max(1, len(words) - 2)):
        h = int.from_bytes(
            hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest(), "big"
        )
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def test_vectorised_simhash_matches_reference() -> None:
    rng = random.Random(3)
    vocab = ["war", "troops", "sent", "talks", "market", "the", "a", "of", "drones", "said"]
    for n in (0, 1, 2, 3, 50, 400):
        text = " ".join(rng.choice(vocab) for _ in range(n))
        assert simhash64(text) == _reference_simhash(text)
