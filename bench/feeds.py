"""frontwire's feed reader side by side with feedparser over a conformance corpus.

    python -m bench.feeds ../shared/benchmarks/feeds      (or: make bench-feeds)

The corpus is feedparser's own test feeds (2,100 files; used by path, never copied). Each
file is read by `services.fetcher.feed_formats.parse_document` (the lxml fast path, feedparser for
what it is not sure of, JSON Feed by hand) and by feedparser alone, reduced the way frontwire
reduces an entry (its link, or its id when that is a URL, resolved; its published or updated
date; its title). Counted:

* ``crashes``: frontwire raised anything but its typed ``FeedError``;
* ``agree_items`` / ``agree_links`` / ``agree_dates``: the share of files on which both agree
  on the number of items, on every item's link, on every item's date, counted over the files
  where feedparser meets its own expectation (the ``Expect:`` line the file opens with,
  evaluated as feedparser's test suite does); files frontwire refuses with a FeedError while
  feedparser finds items count as disagreeing;
* ``speedup``: feedparser's total parse time over frontwire's.

Deliberate differences are listed in docs/feeds.md; ``--show N`` prints the first N files
that disagree, to look at them. The last line is machine-readable:

    feeds files=<n> crashes=<c> agree_items=<r> agree_links=<r> agree_dates=<r> speedup=<x>
"""

from __future__ import annotations

import argparse
import re
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser

from services.fetcher.feed_fast_path import parse_fast
from services.fetcher.feed_formats import FeedError, parse_document
from services.fetcher.feed_records import iso_from_struct

_EXPECT = re.compile(rb"^\s*Expect:\s*(.+?)\s*$", re.M)
_HEADER = re.compile(rb"^\s*Header:\s*([^:]+):\s*(.+?)\s*$", re.M)
Item = tuple[str, str | None, str | None]  # link, date, title


@dataclass
class Tally:
    files: int = 0
    crashes: int = 0
    expected: int = 0  # files where feedparser meets its own expectation
    agree: dict[str, int] = field(default_factory=lambda: {"items": 0, "links": 0, "dates": 0,
                                                          "titles": 0})
    fast: int = 0  # files the lxml fast path reads itself
    ours_s: float = 0.0
    theirs_s: float = 0.0
    differ: list[tuple[str, str, list[Item], list[Item]]] = field(default_factory=list)
    crashed: list[tuple[str, str]] = field(default_factory=list)


def reference(parsed: Any, base: str) -> list[Item]:
    """feedparser's entries, reduced as frontwire reduces an entry."""
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        guid = entry.get("id")
        if not link and isinstance(guid, str) and guid.startswith(("http://", "https://")):
            link = guid
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        title = entry.get("title")
        items.append((
            urljoin(base, link.strip()),
            iso_from_struct(stamp) if stamp else None,
            (title.strip() or None) if isinstance(title, str) else None,
        ))
    return items


def expectation_met(parsed: Any, body: bytes) -> bool:
    match = _EXPECT.search(body[:4000])
    if match is None:
        return False
    try:
        return bool(eval(match.group(1).decode("utf-8", "replace"), {"time": time}, parsed))
    except Exception:
        return False


def run(corpus: Path, show: int) -> Tally:
    tally = Tally()
    warnings.simplefilter("ignore")
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".xml", ".json") or not path.is_file():
            continue
        rel = path.relative_to(corpus).as_posix()
        body = path.read_bytes()
        base = f"http://127.0.0.1:8097/tests/{rel.removeprefix('feedparser/')}"
        headers = {k.decode().strip().lower(): v.decode() for k, v in _HEADER.findall(body[:4000])}
        headers.setdefault("content-location", base)
        headers.setdefault("content-type",
                           "application/json" if path.suffix == ".json" else "application/xml")
        tally.files += 1

        started = time.perf_counter()
        try:
            parsed = feedparser.parse(body, response_headers=headers)
        except Exception:
            parsed = None
        tally.theirs_s += time.perf_counter() - started
        started = time.perf_counter()
        try:
            # The base frontwire is given: the URL it fetched, or the Content-Location.
            ours_base = urljoin(base, headers["content-location"])
            ours: list[Item] | None = [
                (i.url, i.published, i.title) for i in parse_document(body, ours_base).items
            ]
        except FeedError:
            ours = None
        except Exception:
            ours = None
            tally.crashes += 1
            tally.crashed.append((rel, traceback.format_exc(limit=3)))
        tally.ours_s += time.perf_counter() - started
        if path.suffix == ".xml" and ours is not None:
            tally.fast += parse_fast(body, base) is not None
        if parsed is None or not expectation_met(parsed, body):
            continue
        tally.expected += 1
        theirs = reference(parsed, base)
        mine = ours if ours is not None else []
        same = {
            "items": len(mine) == len(theirs),
            "links": [i[0] for i in mine] == [i[0] for i in theirs],
            "dates": [i[1] for i in mine] == [i[1] for i in theirs],
            "titles": [i[2] for i in mine] == [i[2] for i in theirs],
        }
        for key, ok in same.items():
            tally.agree[key] += ok
        if not all(same.values()) and len(tally.differ) < show:
            what = ",".join(k for k, ok in same.items() if not ok)
            tally.differ.append((rel, what, mine, theirs))
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path,
                        help="the corpus folder, e.g. ../shared/benchmarks/feeds")
    parser.add_argument("--show", type=int, default=0, help="print the first N disagreements")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"bench.feeds: no such folder: {args.corpus}")
    tally = run(args.corpus, args.show)
    for rel, what in tally.crashed:
        print(f"CRASH {rel}\n{what}")
    for rel, what, mine, theirs in tally.differ:
        print(f"DIFFER {rel} ({what})\n  frontwire:  {mine}\n  feedparser: {theirs}")
    n = max(1, tally.expected)
    print(f"{tally.files} files; feedparser meets its own expectation on {tally.expected}; "
          f"titles agree on {tally.agree['titles'] / n:.4f}; the lxml fast path reads "
          f"{tally.fast} (the others are edge cases it leaves to feedparser); frontwire "
          f"{tally.ours_s:.2f} s, feedparser {tally.theirs_s:.2f} s")
    print(
        f"feeds files={tally.files} crashes={tally.crashes} "
        f"agree_items={tally.agree['items'] / n:.4f} agree_links={tally.agree['links'] / n:.4f} "
        f"agree_dates={tally.agree['dates'] / n:.4f} "
        f"speedup={tally.theirs_s / max(tally.ours_s, 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
