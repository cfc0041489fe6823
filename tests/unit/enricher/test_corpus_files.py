"""The labelled corpora the team develops on follow docs/annotation.md's schema.

The frozen held-out split is left out: it is scored by name only, and nothing reads it
document by document. So is ``tuned`` (corpus.jsonl): it predates the guideline and carries
no split, genre or negative kind.
"""

from __future__ import annotations

import json

import pytest

from bench.corpus_check import check_doc
from bench.eval_enricher import SPLITS

_FILES = [p for name, paths in SPLITS.items() if name not in ("heldout", "tuned") for p in paths]


def test_every_development_split_has_files() -> None:
    assert {name for name, paths in SPLITS.items() if paths} >= {
        "tuned", "dev2", "probes", "dev3", "heldout"}


@pytest.mark.parametrize("path", _FILES, ids=lambda p: p.name)
def test_a_corpus_file_follows_the_guideline(path: object) -> None:
    seen: set[str] = set()
    problems = [f"{doc.get('id')}: {p}"
                for line in path.read_text(encoding="utf-8").splitlines()  # type: ignore[attr-defined]
                if line.strip() for doc in [json.loads(line)] for p in check_doc(doc, seen)]
    assert problems == []
