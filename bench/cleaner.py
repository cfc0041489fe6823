"""Article-body extraction benchmark: frontwire's cleaner vs trafilatura's default extraction.

    python -m bench.cleaner [--data DIR] [--show-worst N]

Reads ``DIR/ground-truth.json`` and ``DIR/html/<id>.html.gz`` (see the data's README.md for
the metric, implemented in `bench.extraction_metric`). Both extractors run on each page in
turn, so machine noise hits both alike. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from bench.extraction_metric import PageScore, Summary, score_page, summarise
from services.cleaner import Cleaner, Unusable
from shared.records import RawArticle

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "article-extraction"


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    html: str
    reference: str


@dataclass(slots=True)
class Run:
    name: str
    scores: list[PageScore] = field(default_factory=list)
    seconds: float = 0.0

    def pages_per_s(self) -> float:
        return len(self.scores) / self.seconds if self.seconds else 0.0


def load_pages(data: Path) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        record = truth[page_id]
        pages.append(Page(page_id, record["url"], raw.decode("utf-8", "replace"),
                          record["articleBody"]))
    return pages


def frontwire_extractor() -> Callable[[Page], str]:
    cleaner = Cleaner()

    def run(page: Page) -> str:
        raw = RawArticle(id=page.id, url=page.url, source="bench", content_type="text/html",
                         body=page.html)
        try:
            return cleaner.clean(raw).text
        except Unusable:
            return ""

    return run


def trafilatura_extractor(page: Page) -> str:
    return trafilatura.extract(page.html) or ""


def _timed(run: Run, extractor: Callable[[Page], str], page: Page) -> None:
    started = time.perf_counter()
    predicted = extractor(page)
    run.seconds += time.perf_counter() - started
    run.scores.append(score_page(predicted, page.reference))


def _line(name: str, summary: Summary, pages_per_s: float) -> str:
    return (f"{name:<12} precision={summary.precision:.4f} recall={summary.recall:.4f} "
            f"f1={summary.f1:.4f} accuracy={summary.accuracy:.4f} pages/s={pages_per_s:.1f}")


def _worst(pages: list[Page], run: Run, count: int) -> None:
    ranked = sorted(zip(pages, run.scores, strict=True),
                    key=lambda ps: ps[1].tp / max(1, ps[1].tp + ps[1].fp + ps[1].fn))
    for page, score in ranked[:count]:
        print(f"  {page.id[:10]} tp={score.tp} fp={score.fp} fn={score.fn} {page.url[:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-worst", type=int, default=0, metavar="N",
                        help="list the N pages where frontwire scores worst")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"benchmark data not found in {args.data} (expected ground-truth.json and html/); "
              "pass --data DIR", file=sys.stderr)
        return 2
    pages = load_pages(args.data)
    ours, theirs = Run("cleaner"), Run("trafilatura")
    frontwire = frontwire_extractor()
    warm = Page("warm-up", "", pages[0].html, "") if pages else None
    if warm:  # imports, model loads and caches are not part of the per-page cost
        frontwire_extractor()(warm)
        trafilatura_extractor(warm)
    for page in pages:
        _timed(ours, frontwire, page)
        _timed(theirs, trafilatura_extractor, page)
    mine, base = summarise(ours.scores), summarise(theirs.scores)
    print(f"{len(pages)} pages from {args.data}")
    print(_line("cleaner", mine, ours.pages_per_s()))
    print(_line("trafilatura", base, theirs.pages_per_s()))
    if args.show_worst:
        _worst(pages, ours, args.show_worst)
    print(f"cleaner f1={mine.f1:.4f} trafilatura_f1={base.f1:.4f} "
          f"pages_per_s={ours.pages_per_s():.1f} "
          f"trafilatura_pages_per_s={theirs.pages_per_s():.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
