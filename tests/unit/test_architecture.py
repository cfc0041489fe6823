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


def test_every_core_module_is_under_the_contract() -> None:
    """A new module in a pure core must be added to the import-linter contract: listing the
    packages alone would not check modules that a package's __init__ does not import."""
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = config["tool"]["importlinter"]["contracts"]
    listed = set(contract["source_modules"])
    for package in ("cleaner", "enricher"):
        for path in (REPO_ROOT / "services" / package).glob("*.py"):
            if path.stem in ("__init__", "agent"):
                continue
            assert f"services.{package}.{path.stem}" in listed, path
