"""Evaluate the enricher on the labelled corpora: ``python -m bench.eval_enricher [-v]``.

Splits (tests/data/enricher/):
- ``tuned``: corpus.jsonl, the team's first corpus; every rule of the old extractor was tuned
  on it (its old dev/holdout/holdout2 parts included);
- ``dev2``: dev2-*.jsonl, written to docs/annotation.md before the parse-based extractor;
  developed on;
- ``dev3``: dev3-*.jsonl, the first held-out split (frozen before the parse-based extractor,
  scored six times in aggregate only), retired on 2026-12-03 and developed on since;
- ``heldout``: frozen/heldout2-*.jsonl, written on 2026-12-03 by annotators who did not read
  the extractor, frozen by frozen/SHA256SUMS before that day's work on it, never read while
  developing. Only aggregates are printed for it, and ``-v`` (which lists misses) refuses it.

Per split: event P/R/F1 and per type, strict F1 (type + actors + roles), status, quantity and
direction accuracy on matched events, events on hard negatives, duplicates per document,
background P/R, and alert precision (share of the default rules' alerts whose event is a
strict match with the right status and quantity). The last line is
``enricher precision=<p> recall=<r> f1=<f> n_docs=<n>`` over the selected split.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from typing import Any

from bench.enricher_scoring import DATA, Score, Scorer, load_corpus
from services.alerting.rules import RuleSet
from services.enricher import Enricher
from services.enricher.gazetteer import GROUP_NOUNS
from shared.records import CleanArticle, EnrichedArticle, Event

FROZEN = DATA / "frozen"
SPLITS = {
    "tuned": [DATA / "corpus.jsonl"],
    "dev2": sorted(DATA.glob("dev2-*.jsonl")),
    "probes": [DATA / "probes.jsonl"],  # hard negatives written on 2026-12-02, tuned on
    "dev3": sorted(DATA.glob("dev3-*.jsonl")),  # the first held-out split, retired
    "heldout": sorted(FROZEN.glob("heldout2-*.jsonl")),
}


def check_frozen() -> None:
    """Refuse to score a held-out split that differs from the one frozen."""
    sums = FROZEN / "SHA256SUMS"
    if not sums.exists():
        return
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        got = hashlib.sha256((FROZEN / name).read_bytes()).hexdigest()
        if got != digest:
            raise SystemExit(f"{FROZEN / name} changed since it was frozen (sha256 {got[:12]}…)")


def normaliser(enricher: Enricher) -> Any:
    """Label actor -> key: ISO codes as they are; names through the gazetteer's aliases."""
    def key(actor: dict[str, Any]) -> str:
        if actor.get("code"):
            return str(actor["code"])
        name = str(actor["name"])
        # a label may name a group by an acronym the gazetteer takes only before "fighters"
        entries = enricher.gazetteer.entities_for([name]) or enricher.gazetteer.entities_for(
            [f"{name} {GROUP_NOUNS[0]}"])
        if entries:
            e = entries[0]
            if e.kind == "country" and e.country:
                return e.country
            if e.kind == "organisation" and e.subtype == "armed_forces" and e.country:
                return e.country
            return e.name
        return name
    return key


def alerts_of(rules: RuleSet) -> Any:
    def alerts(result: EnrichedArticle) -> list[Event]:
        seen: dict[int, Event] = {}
        for c in rules.match(result):
            seen[id(c.event)] = c.event
        return list(seen.values())
    return alerts


def evaluate(docs: list[dict[str, Any]], enricher: Enricher, scorer: Scorer) -> Score:
    score = Score()
    articles = [CleanArticle(id=str(d["id"]), url="", source="corpus",
                             title=str(d.get("title") or "") or None, text=str(d["text"]),
                             published=d.get("published")) for d in docs]
    for doc, result in zip(docs, enricher.enrich_many(articles), strict=True):
        scorer.score_doc(score, doc, result)
    return score


def report(name: str, score: Score, verbose: bool) -> None:
    p, r, f = score.events.prf()
    sp, sr, sf = score.strict.prf()
    print(f"== {name}: {score.n_docs} docs  events P={p:.3f} R={r:.3f} F1={f:.3f}  "
          f"strict P={sp:.3f} R={sr:.3f} F1={sf:.3f}")
    for etype in sorted(score.by_type):
        t = score.by_type[etype]
        tp, tr, tf = t.prf()
        print(f"   {etype:<20} P={tp:.3f} R={tr:.3f} F1={tf:.3f}  (tp={t.tp} fp={t.fp} fn={t.fn})")
    rp, rr, _ = score.roles.prf()
    bp, br, bf = score.background.prf()
    print(f"   roles P={rp:.3f} R={rr:.3f}  status={score.status.value:.3f} "
          f"(n={score.status.n})  quantity={score.quantity.value:.3f} (n={score.quantity.n})  "
          f"direction={score.direction.value:.3f} (n={score.direction.n})")
    print(f"   hard negatives: {score.negative_events} events on {score.negative_docs_hit} of "
          f"{score.negatives} docs  duplicates/doc={score.duplicates / max(score.n_docs, 1):.3f}"
          f"  background P={bp:.3f} R={br:.3f} F1={bf:.3f}")
    print(f"   alerts: {score.alerts.n} raised, {score.alerts.ok} usable, "
          f"precision={score.alerts.value:.3f}")
    if verbose:
        for line in score.misses:
            print("   -", line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=["all", *SPLITS], default="all",
                    help="the split of the last line (all: every split but heldout, which is "
                         "scored only when named here or with --only)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses (not heldout)")
    ap.add_argument("--only", choices=list(SPLITS), help="score this split alone")
    ap.add_argument("--genre", help="only documents of this genre")
    args = ap.parse_args(argv)
    check_frozen()
    enricher = Enricher()
    scorer = Scorer(normaliser(enricher), alerts_of(RuleSet.default()))
    splits = {name: load_corpus(*paths) for name, paths in SPLITS.items() if paths}
    if args.genre:
        splits = {n: [d for d in docs if d.get("genre") == args.genre] for n, docs in
                  splits.items()}
    for name, docs in splits.items():
        if (args.only and name != args.only) or (name == "heldout" and "heldout" not in (
                args.only, args.split)):
            continue  # the held-out split is scored only when asked for by name
        report(name, evaluate(docs, enricher, scorer), args.verbose and name != "heldout")
    chosen = [d for n, docs in splits.items() for d in docs
              if (args.split == "all" and n != "heldout") or n == args.split]
    if args.only:
        chosen = splits.get(args.only, [])
    total = evaluate(chosen, enricher, scorer)
    p, r, f = total.events.prf()
    print(f"enricher precision={p:.3f} recall={r:.3f} f1={f:.3f} n_docs={total.n_docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
