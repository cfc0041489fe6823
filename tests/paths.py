"""Where the test suite finds things outside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"
# ../shared holds the product brief, the sample article and the public benchmarks. It is
# material for developers and CI, never something frontwire needs to run.
SHARED_DIR = Path(os.environ.get("FRONTWIRE_SHARED_DIR", REPO_ROOT.parent / "shared"))
SEED_ARTICLE = SHARED_DIR / "samples" / "seed-article.txt"
EXTRACTION_BENCHMARK = SHARED_DIR / "benchmarks" / "article-extraction"


def require_shared(path: Path) -> Path:
    """Skip the calling test, naming what is missing, when ../shared is not laid out."""
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared (developer/CI material) is not available here")
    return path
