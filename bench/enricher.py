"""Enricher throughput on one core, parser in the loop: ``python -m bench.enricher``.

Corpora (written for frontwire, bench/data/): ``military.jsonl``, 24 news articles of
600-1,000 words about military developments; ``other.jsonl``, 60 articles of 300-900 words
about everything else a feed carries (sport with its "attacks" and "strikes", markets,
launches, courts, weather). Three streams are measured, each article through
``Enricher.enrich`` on its own as the worker does:

- typical: the military articles;
- mixed: one article in five military, four in five other (the order is seeded);
- prefilter: the other articles that hold no candidate sentence, so stop at the lexical scan.

Figures are CPU seconds (``time.process_time``: this is a shared 2-core machine, and BLAS
threads are pinned to one), best of ``--repeat`` passes after a warm-up. The resident memory
of the process with the model and the place index loaded is printed as well.

The last line is ``enricher articles_per_s=<x> words_per_s=<y>`` for the typical stream.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: the figure is per core

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from services.enricher import Enricher  # noqa: E402
from services.enricher import nlp as nlp_model  # noqa: E402
from services.enricher.stories import simhash64  # noqa: E402
from shared.records import CleanArticle  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> list[CleanArticle]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            text = doc["text"]
            out.append(CleanArticle(id=doc["id"], url=f"https://example.test/{doc['id']}",
                                    source="bench", title=doc["title"], text=text,
                                    word_count=len(text.split()),
                                    simhash=f"{simhash64(text):016x}"))  # as the cleaner does
    return out


def mixed(military: list[CleanArticle], other: list[CleanArticle], n: int, seed: int
          ) -> list[CleanArticle]:
    rng = random.Random(seed)
    return [rng.choice(military) if i % 5 == 0 else rng.choice(other) for i in range(n)]


def measure(enricher: Enricher, articles: list[CleanArticle], repeat: int) -> tuple[float, int]:
    """Best-of-``repeat`` CPU seconds to enrich ``articles`` one by one, and events found."""
    for a in articles[:10]:
        enricher.enrich(a)
    best, events = float("inf"), 0
    for _ in range(max(1, repeat)):
        start = time.process_time()
        events = sum(len(enricher.enrich(a).events) for a in articles)
        best = min(best, time.process_time() - start)
    return best, events


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mixed", type=int, default=500, help="articles in the mixed stream")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="best of N timed passes")
    ap.add_argument("--blis", action="store_true",
                    help="thinc's default blis matrix products instead of numpy's (to compare)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    enricher = Enricher(nlp=nlp_model.pipeline(blis=args.blis))
    print(f"matrix products: {'blis' if args.blis else 'numpy (OpenBLAS)'}")
    print(f"loaded: model, gazetteer and place index in {time.perf_counter() - start:.1f} s; "
          f"resident memory {rss_mb():.0f} MB")
    military, other = load("military.jsonl"), load("other.jsonl")
    quiet = [a for a in other if not enricher._plan(a).candidates]  # the scan stops these
    streams = {"typical": military, "mixed": mixed(military, other, args.mixed, args.seed),
               "prefilter": quiet * max(1, 2000 // max(1, len(quiet)))}
    results = {}
    for name, articles in streams.items():
        words = sum(a.word_count for a in articles)
        elapsed, events = measure(enricher, articles, args.repeat)
        results[name] = (len(articles) / elapsed, words / elapsed)
        print(f"{name}: docs={len(articles)} words={words} "
              f"mean_words={words / len(articles):.0f} events_per_doc={events / len(articles):.2f} "
              f"cpu_s={elapsed:.2f} (process time, best of {args.repeat})")
    print(f"prefilter: {len(quiet)} of {len(other)} other articles hold no candidate sentence")
    print(f"resident memory after the runs: {rss_mb():.0f} MB")
    for name in ("mixed", "prefilter", "typical"):
        aps, wps = results[name]
        prefix = "enricher" if name == "typical" else f"enricher[{name}]"
        print(f"{prefix} articles_per_s={aps:.1f} words_per_s={wps:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
