"""Amounts as news copy writes them (services/enricher/amounts.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.enricher.amounts import Amount, calibre, parse


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("25,000 to 30,000", Amount(25_000, 30_000)),
        ("between 1,000 and 2,000", Amount(1_000, 2_000)),
        ("about 11,000", Amount(11_000, 11_000, True)),
        ("more than 500", Amount(500, 500, True)),
        ("at least nine", Amount(9, 9, True)),
        ("up to 300", Amount(0, 300, True)),
        ("some 12 million", Amount(12e6, 12e6, True)),
        ("25 to 30 million", Amount(25e6, 30e6)),
        ("1.2 million", Amount(1.2e6, 1.2e6)),
        ("12m", Amount(12e6, 12e6)),
        ("600 000", Amount(600_000, 600_000)),  # a space as thousands separator
        ("600\u2009000", Amount(600_000, 600_000)),  # a thin space
        ("600\u202f000", Amount(600_000, 600_000)),  # a narrow no-break space
        ("one", Amount(1, 1)),
        ("three", Amount(3, 3)),
        ("twenty-five", Amount(25, 25)),
        ("one hundred and fifty", Amount(150, 150)),
        ("two thousand three hundred", Amount(2_300, 2_300)),
        ("a dozen", Amount(12, 12)),
        ("nearly two dozen", Amount(24, 24, True)),
        ("dozens", Amount(24, 99, True)),
        ("a few dozen", Amount(24, 99, True)),
        ("hundreds", Amount(200, 999, True)),
        ("several hundred", Amount(200, 999, True)),
        ("thousands", Amount(2_000, 9_999, True)),
        ("tens of thousands", Amount(20_000, 99_999, True)),
        ("hundreds of thousands", Amount(200_000, 999_999, True)),
        ("another 5,000", Amount(5_000, 5_000)),
        ("all 29", Amount(29, 29)),
        ("an estimated 6,000", Amount(6_000, 6_000, True, estimated=True)),
        ("an estimated several hundred", Amount(200, 999, True, estimated=True)),
    ],
)
def test_amounts(phrase: str, expected: Amount) -> None:
    assert parse(phrase) == expected


@pytest.mark.parametrize("phrase", ["the", "troops", "several", "", "many of them"])
def test_no_amount(phrase: str) -> None:
    assert parse(phrase) is None


def test_a_calibre_is_not_part_of_the_count() -> None:
    assert parse("roughly 3 million 155mm") == Amount(3e6, 3e6, True)
    assert parse("12 152mm") == Amount(12, 12)  # not 12,152
    assert calibre("some 12 million 152mm artillery") == "152mm"
    assert calibre("155-mm shells") == "155mm" and calibre("12 shells") is None


@given(st.integers(min_value=1, max_value=999_999_999))
def test_written_integers_read_back(n: int) -> None:
    assert parse(f"{n:,}") == Amount(n, n)
    assert parse(f"{n:,}".replace(",", " ")) == Amount(n, n)


@given(st.text(max_size=60))
def test_any_text_parses_or_not_without_raising(text: str) -> None:
    amount = parse(text)
    assert amount is None or amount.min <= amount.max
