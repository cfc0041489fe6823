"""Evaluate the enricher on the dev corpus: ``python -m bench.eval_enricher [--split S] [-v]``.

Prints per-split blocks (holdout = the third written before any tuning; holdout2 = a later
batch of hard negatives, denials and multi-event articles, labelled and first scored before
any rule was tuned on them; dev = the rest), each with per-type and role/status/quantity
precision/recall. The last line is
``enricher precision=<p> recall=<r> f1=<f> n_docs=<n>`` over the selected split (all by
default).
"""

from __future__ import annotations

import argparse
import sys

from bench.enricher_scoring import CORPUS, Score, load_corpus, score_doc
from services.enricher import Enricher
from shared.records import CleanArticle


def evaluate(docs: list[dict[str, object]], enricher: Enricher) -> Score:
    score = Score()
    for doc in docs:
        article = CleanArticle(id=str(doc["id"]), url="", source="corpus",
                               title=str(doc.get("title") or ""), text=str(doc["text"]))
        score_doc(score, doc, list(enricher.enrich(article).events))
    return score


def report(name: str, score: Score, verbose: bool) -> None:
    p, r, f = score.events.prf()
    print(f"== {name}: {score.n_docs} docs  events P={p:.3f} R={r:.3f} F1={f:.3f}")
    for etype in sorted(score.by_type):
        tp, tr, tf = score.by_type[etype].prf()
        t = score.by_type[etype]
        print(f"   {etype:<20} P={tp:.3f} R={tr:.3f} F1={tf:.3f}  (tp={t.tp} fp={t.fp} fn={t.fn})")
    for label, tally in (("roles", score.roles), ("status", score.status),
                         ("quantity", score.quantity)):
        lp, lr, _ = tally.prf()
        print(f"   {label:<20} P={lp:.3f} R={lr:.3f}  (on matched events)")
    if verbose:
        for line in score.misses:
            print("   -", line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=["all", "dev", "holdout", "holdout2"], default="all")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    args = ap.parse_args(argv)
    docs = load_corpus(CORPUS)
    enricher = Enricher()
    for split in ("holdout", "holdout2", "dev"):
        part = [d for d in docs if d["split"] == split]
        report(split, evaluate(part, enricher), args.verbose)
    chosen = docs if args.split == "all" else [d for d in docs if d["split"] == args.split]
    total = evaluate(chosen, enricher)
    report(f"{args.split} (final)", total, False)
    p, r, f = total.events.prf()
    print(f"enricher precision={p:.3f} recall={r:.3f} f1={f:.3f} n_docs={total.n_docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
