"""Fit the events' confidence model: ``python -m bench.train_confidence [--write]``.

Runs the enricher over the development corpora (``tuned`` and ``dev2``; never the held-out
split), labels each current event 1 when it is a strict match with the right status and
(where labelled) the right quantity — an event an analyst could take as it stands — else 0,
and fits a logistic regression (L2, gradient descent, numpy) on
``services.enricher.confidence.features``. Prints the fit's log-loss and a reliability table
(predicted vs observed share right, by decile) with 5-fold cross-validation, so the figure
is not the fit's own. ``--write`` stores the weights in
services/enricher/data/confidence.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from bench.enricher_scoring import Scorer, load_corpus, qty_ok, status_ok
from bench.eval_enricher import SPLITS, normaliser
from services.enricher import Enricher
from services.enricher import confidence as conf
from shared.records import CleanArticle


def examples(enricher: Enricher) -> tuple[list[dict[str, float]], list[int], list[int]]:
    """Features, labels and the index of each event's document."""
    scorer = Scorer(normaliser(enricher))
    docs = load_corpus(*SPLITS["tuned"], *SPLITS["dev2"])
    arts = [CleanArticle(id=str(d["id"]), url="", source="corpus", title=d.get("title"),
                         text=str(d["text"]), published=d.get("published")) for d in docs]
    rows, labels, where = [], [], []
    for n, (doc, result) in enumerate(zip(docs, enricher.enrich_many(arts), strict=True)):
        live = [e for e in doc["events"] if not e.get("background")]
        gold: dict[int, dict[str, Any]] = {id(p): e for e, p in scorer.match(live,
                                                                          list(result.events))}
        for event in result.events:
            exp = gold.get(id(event))
            ok = exp is not None and scorer.strict_ok(exp, event) and status_ok(
                exp.get("status", ""), event) and (not exp.get("quantity") or qty_ok(exp, event))
            rows.append(conf.features(event))
            labels.append(int(ok))
            where.append(n)
    return rows, labels, where


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 4000) -> np.ndarray:
    w = np.zeros(x.shape[1])
    rate = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]] / len(y)
        w -= rate * grad
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    rows, labels, where = examples(Enricher())
    names = sorted(rows[0])
    x = np.array([[1.0, *(r[n] for n in names)] for r in rows])
    y = np.array(labels, dtype=float)
    folds = np.array(where) % 5  # by document: an article's events never straddle folds
    held = np.zeros(len(y))
    for k in range(5):
        w = fit(x[folds != k], y[folds != k])
        held[folds == k] = 1 / (1 + np.exp(-(x[folds == k] @ w)))
    loss = -np.mean(y * np.log(held + 1e-9) + (1 - y) * np.log(1 - held + 1e-9))
    print(f"events={len(y)} right_as_they_stand={y.mean():.3f} cv_log_loss={loss:.3f}")
    for lo in np.arange(0, 1, 0.1):
        sel = (held >= lo) & (held < lo + 0.1)
        if sel.any():
            print(f"  predicted {lo:.1f}-{lo + 0.1:.1f}: n={sel.sum():4d} "
                  f"observed={y[sel].mean():.2f}")
    w = fit(x, y)
    if args.write:
        conf.DATA.write_text(json.dumps({
            "fitted_on": "tests/data/enricher corpus.jsonl + dev2-*.jsonl (python -m "
                         "bench.train_confidence --write)",
            "events": len(y), "bias": round(float(w[0]), 4),
            "weights": {n: round(float(v), 4) for n, v in zip(names, w[1:], strict=True)},
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {conf.DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
