"""Fuzzing: generated and mutated inputs through every parser of untrusted input.

    python -m bench.fuzz [--inputs 100000] [--seed 1] [--feeds ../shared/benchmarks/feeds]
    (or: make fuzz)

Hypothesis generates the inputs: byte- and text-level mutations (flips, inserts, deletions,
splices of another seed, repeated chunks, hostile tokens) of seeds taken from the corpora
(the feed conformance corpus by path, the project's test fixtures) and plain random input.
Targets, each with the errors it is allowed to raise (anything else is a crash):

* ``feeds``: `parse_document` (FeedError);
* ``body``: `decode_body` (nothing) and `read_capped` (BodyTooLarge, UnsupportedEncoding);
* ``cleaner``: `Cleaner.clean` (Unusable);
* ``enricher``: `Enricher.enrich` on mutated article text (nothing);
* ``rules``: `RuleSet.load` of a mutated rule file (RuleError);
* ``records``: `shared.codec.decode` of every record type (CodecError);
* ``push``: the push handler's body parsing `pushed` (ValueError: the view's 400);
* ``websub_signature`` / ``websub_link``: the WebSub handler's `verify_signature` and
  `link_topic` (nothing: a bad header is a False or a None).

Each crash is written to ``var/fuzz/crashes/<target>-<hash>.bin`` with its traceback, to be
turned into a regression test, and each target's slowest input to ``slowest-<target>.bin``.
The last line is machine-readable:

    fuzz inputs=<n> crashes=<c> slowest_ms=<t>
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import random
import tempfile
import time
import traceback
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.paths import REPO_ROOT, TEST_DATA

TOKENS = [
    b"<", b">", b"&", b"&#0;", b"&#x110000;", b"&amp;", b"]]>", b"<![CDATA[", b"<!--", b"-->",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"<?xml version='1.0' encoding='",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xe2\x80\xae",
    b'charset="', b"base64", b"utf-7", b"+ADw-", b"<meta charset=", b"<title>", b"</title>",
    b"<item>", b"<entry>", b"<link href=", b"xml:base=", b"[" * 64, b"{" * 64, b'"', b"\\u0000",
    b"9999-12-31T23:00:00-05:00", b"0001-01-01T00:00:00+05:00", b"*a", b"&a", b"!!python/",
    b" " * 200, b"\t", b"\r\n", b"%", b"\xe9", b"=" * 40, b";", b",", b"rel=", b"<" * 300,
]


def mutate(seeds: list[bytes], index: int, seed_value: int) -> bytes:
    """A seed with 0-6 mutations. Hypothesis draws only the seed's index and a random seed
    (two choices per input, so it is cheap per example); the mutations follow from them."""
    rng = random.Random(seed_value)
    data = bytearray(seeds[index])
    for _ in range(rng.randint(0, 6)):
        op, pos = rng.randrange(6), rng.randint(0, len(data))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 2:
            del data[pos:pos + rng.randint(1, 256)]
        elif op == 3:
            other = rng.choice(seeds)
            start = rng.randint(0, len(other))
            data[pos:pos] = other[start:start + rng.randint(1, 512)]
        elif op == 4:
            data[pos:pos] = data[pos:pos + rng.randint(1, 32)] * rng.randint(1, 60)
        else:
            data[pos:pos] = rng.choice(TOKENS)
    return bytes(data[:400_000])


def inputs(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    mutated = st.builds(lambda i, s: mutate(seeds, i, s),
                        st.integers(0, len(seeds) - 1), st.integers(0, 2**32 - 1))
    return st.one_of(mutated, mutated, mutated, st.binary(max_size=512))


def texts(seeds: list[bytes]) -> st.SearchStrategy[str]:
    return inputs(seeds).map(lambda b: b.decode("utf-8", errors="replace"))


@dataclass
class Target:
    name: str
    weight: float
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], object]
    allowed: tuple[type[BaseException], ...]
    warm: Any = b""  # an input for the untimed first call
    inputs: int = 0
    crashes: int = 0
    slowest_ms: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


def _read(paths: list[Path], limit: int = 300_000) -> list[bytes]:
    return [p.read_bytes()[:limit] for p in paths if p.is_file()]


def feed_seeds(corpus: Path | None) -> list[bytes]:
    local = sorted((TEST_DATA / "fetcher").rglob("*.xml")) + sorted(
        (TEST_DATA / "fetcher").rglob("*.rdf")) + [TEST_DATA / "fetcher" / "feed.json"]
    seeds = _read(local)
    if corpus is not None and corpus.is_dir():
        seeds += _read(sorted(corpus.rglob("*.xml"))[::3] + sorted(corpus.rglob("*.json")))
    return seeds


def enricher_seeds() -> list[bytes]:
    seeds = []
    for line in (TEST_DATA / "enricher" / "corpus.jsonl").read_bytes().splitlines()[:200]:
        record = orjson.loads(line)
        seeds.append(f"{record.get('title', '')}\n\n{record['text']}".encode())
    return seeds


def build_targets(corpus: Path | None) -> list[Target]:
    from services.alerting.rules import RuleError, RuleSet
    from services.cleaner import Cleaner, Unusable
    from services.enricher import Enricher
    from services.fetcher.body import BodyTooLarge, UnsupportedEncoding, read_capped
    from services.fetcher.feed_formats import FeedError, parse_document
    from services.fetcher.intake_faust import pushed
    from services.fetcher.text import decode_body
    from services.fetcher.websub import link_topic, sign, verify_signature
    from shared.codec import CodecError, decode, encode
    from shared.records import Alert as AlertRecord
    from shared.records import (
        AlertCandidate,
        CleanArticle,
        DeadLetter,
        EnrichedArticle,
        RawArticle,
    )
    from tests.unit.alerting.builders import alert, article, enriched, troops

    loop = asyncio.new_event_loop()
    cleaner, enricher = Cleaner(), Enricher()
    rules_dir = Path(tempfile.mkdtemp(prefix="frontwire-fuzz-rules-"))
    rule_file = rules_dir / "rules.yaml"

    def feeds(body: bytes) -> object:
        return parse_document(body, "https://news.example.com/feeds/world.xml")

    def body(data: bytes) -> object:
        charset = data[:12].decode("latin-1").strip() or None
        decode_body(data, "text/html", charset)

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(data), 97):
                yield data[i:i + 97]

        encoding = ("gzip", "deflate", "br", "identity", "x-gzip", "zstd")[len(data) % 6]
        return loop.run_until_complete(read_capped(chunks(), encoding, 100_000))

    def clean(data: bytes) -> object:
        html = data.decode("utf-8", errors="replace")
        raw = RawArticle(id="f", url="https://news.example.com/a", source="fuzz",
                         content_type="text/html" if len(data) % 4 else "text/plain", body=html,
                         title_hint=html[:80] or None, published_hint=html[-30:] or None)
        return cleaner.clean(raw)

    def enrich(text: str) -> object:
        return enricher.enrich(CleanArticle(id="f", url="https://news.example.com/a",
                                            source="fuzz", title=text[:120], text=text))

    def rules(data: bytes) -> object:
        rule_file.write_bytes(data)
        return RuleSet.load(rule_file)

    kinds = [RawArticle, CleanArticle, EnrichedArticle, AlertCandidate, AlertRecord, DeadLetter]

    def records(data: bytes) -> object:
        return decode(data, kinds[len(data) % len(kinds)])

    def push(data: bytes) -> object:
        ctype = "application/json" if len(data) % 3 else "text/html; charset=utf-8"
        try:
            return pushed(data, ctype)
        except ValueError:
            return None  # the view's 400

    def websub_signature(data: bytes) -> object:
        header = data[:80].decode("utf-8", errors="replace")
        return verify_signature("secret", data, header) or verify_signature(
            "secret", data, sign("secret", data))

    def websub_link(data: bytes) -> object:
        return link_topic(data[:8000].decode("latin-1"))

    rule_seeds = _read(sorted((REPO_ROOT / "services" / "alerting" / "rules").glob("*.yaml")))
    rule_seeds += _read(sorted((TEST_DATA.parent / "unit" / "alerting").rglob("*.yaml")))
    record_seeds = [
        encode(RawArticle("a", "https://x.example/a", "push", "text/html", "<p>x</p>")),
        encode(article(1)), encode(enriched(troops())), encode(alert()),
        encode(AlertCandidate("r", "r:k", 0, enriched(troops()))),
    ]
    page_seeds = _read(sorted((TEST_DATA / "cleaner").rglob("*.html"))
                       + sorted((TEST_DATA / "cleaner").rglob("*.txt")))
    push_seeds = [
        orjson.dumps({"url": "https://x.example/a", "html": "<p>x</p>", "title": "t"}),
        orjson.dumps({"url": "https://x.example/a", "text": "plain", "title": "t"}),
        orjson.dumps({"url": 12, "text": "plain"}),  # fields of the wrong type
        orjson.dumps({"url": ["https://x.example/a"], "html": "<p>x</p>"}),
        orjson.dumps({"url": "https://x.example/a", "html": "<p>x</p>", "title": {"a": 1}}),
        b'<https://hub.example/>; rel="hub", <https://x.example/feed>; rel="self"',
        b"sha256=" + b"0" * 64,
    ]
    feed_bodies = feed_seeds(corpus)
    return [
        Target("feeds", 0.3, inputs(feed_bodies), feeds, (FeedError,), feed_bodies[0]),
        Target("body", 0.2, inputs(page_seeds + feed_bodies[:50]), body,
               (BodyTooLarge, UnsupportedEncoding), page_seeds[0]),
        Target("cleaner", 0.05, inputs(page_seeds), clean, (Unusable,), page_seeds[0]),
        Target("enricher", 0.02, texts(enricher_seeds()), enrich, (),
               enricher_seeds()[0].decode()),
        Target("rules", 0.08, inputs(rule_seeds), rules, (RuleError,), rule_seeds[0]),
        Target("records", 0.2, inputs(record_seeds), records, (CodecError,), record_seeds[0]),
        Target("push", 0.09, inputs(push_seeds + record_seeds), push, (), push_seeds[0]),
        Target("websub_signature", 0.03, inputs(push_seeds), websub_signature, (),
               push_seeds[-1]),
        Target("websub_link", 0.03, inputs(push_seeds), websub_link, (), push_seeds[-2]),
    ]


def warm_up(target: Target) -> None:
    """One untimed, uncounted call: first calls load models and build caches (the cleaner's
    first page takes most of a second), which says nothing about the input."""
    with contextlib.suppress(Exception):
        target.run(target.warm)


def fuzz(target: Target, examples: int, seed_value: int, out: Path) -> None:
    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(target.strategy)
    def one(value: Any) -> None:
        target.inputs += 1
        started = time.perf_counter()
        try:
            target.run(value)
        except target.allowed:
            pass
        except Exception as exc:  # a crash: kept for a regression test, then on to the next
            target.crashes += 1
            kind = f"{type(exc).__name__}: {str(exc)[:80]}"
            target.kinds[kind] = target.kinds.get(kind, 0) + 1
            if target.kinds[kind] <= 3:
                raw = value if isinstance(value, bytes) else str(value).encode()
                name = f"{target.name}-{hashlib.sha1(raw).hexdigest()[:12]}"
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{name}.bin").write_bytes(raw)
                (out / f"{name}.txt").write_text(traceback.format_exc())
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms > target.slowest_ms:
                target.slowest_ms = elapsed_ms
                raw = value if isinstance(value, bytes) else str(value).encode()
                out.mkdir(parents=True, exist_ok=True)
                (out / f"slowest-{target.name}.bin").write_bytes(raw)

    one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds", type=Path, default=REPO_ROOT.parent / "shared" / "benchmarks"
                        / "feeds", help="the feed corpus to seed from (used by path)")
    parser.add_argument("--only", help="one target by name")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "fuzz" / "crashes")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    started = time.monotonic()
    targets = build_targets(args.feeds)
    total_weight = sum(t.weight for t in targets if args.only in (None, t.name))
    for target in targets:
        if args.only not in (None, target.name):
            continue
        examples = max(1, round(args.inputs * target.weight / total_weight))
        warm_up(target)
        begun = time.monotonic()
        fuzz(target, examples, args.seed, args.out)
        print(f"{target.name:>16}: inputs={target.inputs} crashes={target.crashes} "
              f"slowest_ms={target.slowest_ms:.1f} ({time.monotonic() - begun:.0f} s)",
              flush=True)
        for kind, count in sorted(target.kinds.items(), key=lambda kv: -kv[1]):
            print(f"           {count} x {kind}")
    done = [t for t in targets if t.inputs]
    print(f"{time.monotonic() - started:.0f} s; crashes (if any) in {args.out}")
    print(f"fuzz inputs={sum(t.inputs for t in done)} crashes={sum(t.crashes for t in done)} "
          f"slowest_ms={max(t.slowest_ms for t in done):.1f}")


if __name__ == "__main__":
    main()
