from __future__ import annotations

import pytest

from bench.extraction_metric import score_page, shingles, summarise, tokens


def test_tokens_are_word_runs_with_case_kept() -> None:
    assert tokens("Hello, World! it's 3pm") == ["Hello", "World", "it", "s", "3pm"]


def test_shingles_are_a_multiset_of_4_token_windows() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b") == {("a", "b"): 1}
    assert not shingles("")
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_page_counts_and_exact_match() -> None:
    score = score_page("a b c d e f", "a b c d e g")
    assert (score.tp, score.fp, score.fn, score.exact) == (2, 1, 1, False)
    assert score_page("A, b c", "A b c").exact


def test_summary_means_per_page_then_harmonic_mean() -> None:
    perfect = score_page("a b c d e", "a b c d e")
    half = score_page("a b c d x", "a b c d y")  # tp=1 fp=1 fn=1
    empty = score_page("", "a b c d")  # no prediction: counts for recall only
    summary = summarise([perfect, half, empty])
    assert summary.precision == pytest.approx((1 + 0.5) / 2)
    assert summary.recall == pytest.approx((1 + 0.5 + 0) / 3)
    p, r = summary.precision, summary.recall
    assert summary.f1 == pytest.approx(2 * p * r / (p + r))
    assert summary.accuracy == pytest.approx(1 / 3)
