from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.enricher.lexicon import Lexicon
from services.enricher.quantities import QuantityReader, multiplier, parse_value

READER = QuantityReader(Lexicon().units, Lexicon().unit_re)


def one(text: str):  # type: ignore[no-untyped-def]
    hits = READER.read(text.lower())
    assert len(hits) == 1, hits
    return hits[0]


@pytest.mark.parametrize(
    ("text", "lo", "hi", "unit", "approx"),
    [
        ("sending 30,000 troops", 30_000, 30_000, "troops", False),
        ("12 million artillery shells", 12e6, 12e6, "shells", False),
        ("25,000 to 30,000 troops", 25_000, 30_000, "troops", False),
        ("about 11,000 soldiers", 11_000, 11_000, "troops", True),
        ("at least 1,000 sappers", 1_000, 1_000, "sappers", True),
        ("some 12 million shells", 12e6, 12e6, "shells", True),
        ("roughly 3 million rounds", 3e6, 3e6, "shells", True),
        ("dozens of drones", 24, 99, "drones", True),
        ("between 5,000 and 6,000 troops", 5_000, 6_000, "troops", False),
        ("up to 500,000 more people", 0, 500_000, "people", True),
        ("three ballistic missiles", 3, 3, "missiles", False),
        ("hundreds of tanks", 200, 999, "tanks", True),
        ("6,000 extra personnel", 6_000, 6_000, "personnel", False),
    ],
)
def test_quantities(text: str, lo: float, hi: float, unit: str, approx: bool) -> None:
    q = one(text).quantity
    assert (q.min, q.max, q.unit, q.approximate) == (lo, hi, unit, approx)


def test_calibre_and_partitive() -> None:
    hit = one("some 12 million 152mm artillery shells")
    assert hit.quantity.calibre == "152mm" and hit.quantity.unit == "shells"
    assert one("at least 1,000 of these people").partitive


def test_money_and_bare_numbers_are_not_quantities() -> None:
    assert READER.read("a $400 million aid package for 2025") == []


def test_multiplier() -> None:
    q = multiplier("would more than triple the presence")
    assert q is not None and q.min == 3 and q.approximate


@given(st.integers(min_value=1, max_value=10**9))
def test_parse_value_roundtrip(n: int) -> None:
    assert parse_value(f"{n:,}") == n
