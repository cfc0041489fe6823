"""The <title> separator split: RE2 (linear time) on bounded input, and the same answer as
Python's engine gives (which is quadratic on long runs of spaces)."""

from __future__ import annotations

import re

import re2
from hypothesis import given
from hypothesis import strategies as st

from services.cleaner.metadata import MAX_TITLE_CHARS, TITLE_SEPARATORS, title_part

PYTHON = re.compile(r"\s+[|\-–—:•·»]\s+")
TITLE_ALPHABET = st.sampled_from(
    [" ", "\t", "\xa0", "\u2009", "\u3000", "\x85", "\x1c", "|", "-", "–", "—", ":", "•", "·",
     "»", "a", "Z", "é", "1"]
)


@given(st.text(TITLE_ALPHABET, max_size=200))
def test_split_agrees_with_pythons_engine(title: str) -> None:
    assert TITLE_SEPARATORS.split(title) == PYTHON.split(title)


def test_the_split_is_re2_not_a_backtracking_engine() -> None:
    assert isinstance(TITLE_SEPARATORS, re2._Regexp)


@given(st.integers(0, 200_000), st.sampled_from([" ", " - ", "a "]))
def test_the_split_sees_a_bounded_title(repeat: int, unit: str) -> None:
    title = "a" + unit * repeat + "b"
    part = title_part(title)
    assert part is not None and len(part) <= MAX_TITLE_CHARS


def test_the_longest_part_is_the_story() -> None:
    assert title_part("Troops cross the river | Example News") == "Troops cross the river"
