"""The four workers run as deploy/k8s runs them: a read-only root file system with only the
state directory and /tmp writable (`readOnlyRootFilesystem: true` and two emptyDirs), the
ConfigMap's settings, and they become ready over a real broker.

The read-only root is made with bubblewrap (Debian's `bubblewrap`, installed by .ci/run): the
whole file system bound read-only, a fresh /tmp and /dev, and the worker's state directory
bound writable, which is what the pod's volumes give it. The test skips, saying so, where
bwrap is absent or cannot make a sandbox here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from services.flow import SERVICES
from tests.integration.deploy._support import DEPLOY
from tests.paths import REPO_ROOT
from tests.support.cluster import FRONTWIRE, Workers

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CONFIG_ENV = DEPLOY / "k8s" / "base" / "config.env"
# Settings the test's Workers set per run (broker, isolated prefix, free ports, a state dir
# per service) or keeps on loopback (nothing binds beyond it on a shared machine).
PER_RUN = {
    "KAFKA_BOOTSTRAP_SERVERS",
    "FRONTWIRE_TOPIC_PREFIX",
    "FRONTWIRE_WEB_PORT",
    "FRONTWIRE_STATE_DIR",
    "FRONTWIRE_WEB_HOST",
}


def _config() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in CONFIG_ENV.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {name.strip(): value.strip() for name, value in pairs}


def _sandbox(writable: Path, *readable: Path) -> list[str]:
    """bwrap's arguments: everything read-only, fresh /tmp and /dev, ``writable`` bound
    writable and ``readable`` (files under the test's /tmp, which the fresh one hides) back."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.skip("bwrap is absent (Debian package bubblewrap, installed by .ci/run)")
    command = [
        bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        "--bind", str(writable), str(writable), "--die-with-parent", "--chdir", "/",
    ]
    # The fresh /tmp hides whatever lives under the real one: the checkout itself, when it was
    # cloned there (as CI may), and the test's own files; bound back read-only.
    for path in (REPO_ROOT, *readable):
        if path.resolve().is_relative_to("/tmp"):
            command += ["--ro-bind", str(path), str(path)]
    probe = subprocess.run([*command, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"bwrap cannot make a sandbox here: {probe.stderr.strip()}")
    return command


@pytest.mark.timeout(300)
def test_the_workers_become_ready_with_a_read_only_root(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    config = _config()
    assert "FRONTWIRE_PARTITIONS" in config and "FRONTWIRE_STATE_DIR" in config
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")  # the fetcher's leader polls nothing from the internet
    env = {k: v for k, v in config.items() if k not in PER_RUN}
    env |= {"FRONTWIRE_FEEDS_FILE": str(feeds), "PYTHONDONTWRITEBYTECODE": "1"}  # as the image
    workers = Workers(kafka_bootstrap, tmp_path, env_extra=env)
    for service in SERVICES:
        state = tmp_path / "state" / service
        state.mkdir(parents=True)
        workers.commands[service] = [*_sandbox(state, feeds), str(FRONTWIRE), "worker", service]

    # The sandbox is really read-only outside those two: a write to the checkout fails.
    outside = REPO_ROOT / "var" / "readonly-probe"
    denied = subprocess.run(
        [*_sandbox(tmp_path / "state"), "sh", "-c", f"mkdir -p '{outside}'"],
        capture_output=True, text=True, timeout=30,
    )
    assert denied.returncode != 0 and "Read-only file system" in denied.stderr, denied.stderr
    assert not outside.exists()

    try:
        workers.launch(*SERVICES)
        for service in SERVICES:
            workers.wait_healthy(service, timeout=180)
        for service in SERVICES:
            assert workers.procs[service].poll() is None, workers.log(service)
            # faust's data (RocksDB tables where the service has any) went to the state dir
            assert any((tmp_path / "state" / service).iterdir()), service
            assert "Read-only file system" not in workers.log(service), workers.log(service)
    finally:
        workers.stop_all()
