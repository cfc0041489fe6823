"""The pure part stays transport-free and the layers stay in order (contracts in pyproject.toml,
checked by import-linter; docs/architecture.md draws them)."""

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
    assert "2 kept, 0 broken" in done.stdout


def test_every_transport_free_module_is_under_the_contract() -> None:
    """Every module of the project is classified, none by hand: a module that imports no
    transport (directly or through others) must be in the pure contract, so that it stays
    that way; one that does is an adapter and must not be in it (lint-imports checks that)."""
    import tomllib

    import grimp

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [contract] = [c for c in contracts if c["type"] == "forbidden"]
    listed = set(contract["source_modules"])
    forbidden = set(contract["forbidden_modules"])
    graph = grimp.build_graph("services", "shared", include_external_packages=True,
                              cache_dir=None)
    pure = set()
    for module in graph.modules:
        if module.split(".")[0] not in ("services", "shared") or module in ("services", "shared"):
            continue
        if not graph.find_upstream_modules(module) & forbidden:  # what it imports, at any depth
            pure.add(module)
    missing = sorted(pure - listed)
    assert not missing, f"transport-free modules to add to the pure contract: {missing}"
    assert listed <= {m for m in graph.modules}, sorted(listed - set(graph.modules))
