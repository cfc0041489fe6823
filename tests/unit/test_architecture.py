"""The pure cores stay transport-free (contracts in pyproject.toml, checked by import-linter)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.paths import REPO_ROOT


def test_pure_cores_import_no_kafka_faust_or_http() -> None:
    lint_imports = shutil.which("lint-imports") or str(REPO_ROOT / ".venv" / "bin" / "lint-imports")
    if not shutil.which(lint_imports):
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [lint_imports, "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
