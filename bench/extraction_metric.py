"""The article-extraction benchmark metric: 4-token shingles, per-page P/R, mean over pages.

Tokens are maximal runs of Unicode word characters (case kept). Shingles are overlapping
4-token windows counted as a multiset; a text of fewer than four tokens is one shorter
shingle, an empty text has none. Precision and recall are averaged over pages (pages where
they are undefined are left out of that mean) and F1 is the harmonic mean of the two means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    toks = tokens(text)
    if not toks:
        return Counter()
    if len(toks) < size:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    tp: int
    fp: int
    fn: int
    exact: bool


def score_page(predicted: str, reference: str) -> PageScore:
    pred, ref = shingles(predicted), shingles(reference)
    tp = sum((pred & ref).values())
    fp = sum(pred.values()) - tp
    fn = sum(ref.values()) - tp
    return PageScore(tp, fp, fn, tokens(predicted) == tokens(reference))


@dataclass(frozen=True, slots=True)
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int


def _page_pr(score: PageScore) -> tuple[float | None, float | None]:
    """Per-page (precision, recall); None where the page does not count for that mean.

    Counts are divided by their sum first, which does not change the ratios; a page with no
    false positives and no false negatives scores 1 on both.
    """
    tp, fp, fn = score.tp, score.fp, score.fn
    if fp == 0 and fn == 0:
        return (1.0 if tp else None), (1.0 if tp else None)
    precision = None if tp + fp == 0 else tp / (tp + fp)
    recall = None if tp + fn == 0 else tp / (tp + fn)
    return precision, recall


def summarise(scores: Iterable[PageScore]) -> Summary:
    scores = list(scores)
    precisions, recalls = [], []
    for score in scores:
        p, r = _page_pr(score)
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
    mean_p = sum(precisions) / len(precisions) if precisions else 0.0
    mean_r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * mean_p * mean_r / (mean_p + mean_r) if mean_p + mean_r else 0.0
    exact = sum(s.exact for s in scores) / len(scores) if scores else 0.0
    return Summary(mean_p, mean_r, f1, exact, len(scores))
