"""deploy/kafka/kafka.sh and deploy/services.sh, run for real (the broker from Maven Central
jars; the workers replaced by a stand-in CLI that serves /health)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.deploy._support import DEPLOY, free_port, free_port_block

KAFKA_SH = DEPLOY / "kafka" / "kafka.sh"
SERVICES_SH = DEPLOY / "services.sh"
SCRIPTS = (KAFKA_SH, SERVICES_SH, DEPLOY.parent / ".ci" / "run")


def _run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 180):
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_executable_bash_that_parses(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script} is not executable"
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    assert _run("bash", "-n", script).returncode == 0
    shellcheck = shutil.which("shellcheck")
    if shellcheck:
        result = _run(shellcheck, script)
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", (KAFKA_SH, SERVICES_SH), ids=lambda p: p.name)
def test_scripts_explain_themselves_and_refuse_unknown_commands(script: Path) -> None:
    help_ = _run(script, "--help")
    assert help_.returncode == 0 and "up" in help_.stdout and "down" in help_.stdout
    assert _run(script, "bogus").returncode == 2


# --- Kafka -----------------------------------------------------------------------------


def _kafka_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "KAFKA_DIR": str(tmp_path / "kafka"),
        "KAFKA_PORT": str(free_port()),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "KAFKA_READY_TIMEOUT": "120",
    }
    return env


async def _produce_and_consume(bootstrap: str) -> tuple[bytes | None, bytes | None]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("deploy.smoke", b"hello", key=b"story-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        "deploy.smoke",
        bootstrap_servers=bootstrap,
        group_id="deploy-smoke",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), 60)
        await consumer.commit()
    finally:
        await consumer.stop()
    return message.key, message.value


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_kafka_up_serves_produce_and_consume_then_down_cleans_up(tmp_path: Path) -> None:
    if shutil.which("java") is None or shutil.which("mvn") is None:
        pytest.skip("java and mvn are needed to run the local Kafka broker")
    env = _kafka_env(tmp_path)
    env_no_external = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env_no_external.update(env)

    def kafka(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(KAFKA_SH), *args],
            capture_output=True,
            text=True,
            timeout=240,
            env=env_no_external,
            stdin=subprocess.DEVNULL,
        )

    assert kafka("status").returncode == 3
    up = kafka("up")
    try:
        assert up.returncode == 0, up.stderr
        assert "new cluster" in up.stderr
        data = Path(env["KAFKA_DIR"]) / "data"
        assert (data / "meta.properties").is_file()
        bootstrap = f"127.0.0.1:{env['KAFKA_PORT']}"
        assert asyncio.run(_produce_and_consume(bootstrap)) == (b"story-1", b"hello")

        again = kafka("up")  # idempotent: the running broker is reused
        assert again.returncode == 0 and "already running" in again.stderr, again.stderr
        assert kafka("status").returncode == 0

        # With an external broker named, `up` only checks it.
        external = subprocess.run(
            [str(KAFKA_SH), "up"],
            capture_output=True,
            text=True,
            timeout=120,
            env={
                **env_no_external,
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "KAFKA_DIR": str(tmp_path / "unused"),
            },
        )
        assert external.returncode == 0, external.stderr
        assert not (tmp_path / "unused").exists()
    finally:
        down = kafka("down")
    assert down.returncode == 0, down.stderr
    assert not (Path(env["KAFKA_DIR"]) / "data").exists()
    assert not (Path(env["KAFKA_DIR"]) / "kafka.pid").exists()
    assert kafka("status").returncode == 3


def test_kafka_up_fails_fast_on_an_unreachable_external_broker() -> None:
    result = _run(
        KAFKA_SH,
        "up",
        env={"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}", "KAFKA_READY_TIMEOUT": "2"},
        timeout=60,
    )
    assert result.returncode == 1
    assert "does not answer" in result.stderr


# --- services --------------------------------------------------------------------------

FAKE_CLI = textwrap.dedent(
    """\
    #!{python}
    # Stand-in for `frontwire worker NAME`: serves /health on FRONTWIRE_WEB_PORT.
    import http.server, os, sys
    name = sys.argv[2]
    if name in os.environ.get("FAIL", "").split(","):
        sys.exit(f"{{name}}: cannot start")
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
        def log_message(self, *args):
            pass
    print(name, os.environ["FRONTWIRE_WEB_PORT"], os.environ["FRONTWIRE_STATE_DIR"],
          os.environ["KAFKA_BOOTSTRAP_SERVERS"], flush=True)
    port = int(os.environ["FRONTWIRE_WEB_PORT"])
    http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
    """
)


@pytest.fixture
def services_env(tmp_path: Path) -> dict[str, str]:
    cli = tmp_path / "frontwire"
    cli.write_text(FAKE_CLI.format(python=sys.executable), encoding="utf-8")
    cli.chmod(0o755)
    base = free_port_block(4)
    return {
        "FRONTWIRE": str(cli),
        "FRONTWIRE_VAR_DIR": str(tmp_path / "var"),
        "SERVICES_PORT_BASE": str(base),
        "SERVICES_READY_TIMEOUT": "30",
        "SERVICES_STOP_TIMEOUT": "10",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }


def test_services_up_waits_for_health_and_down_stops_them(
    services_env: dict[str, str], tmp_path: Path
) -> None:
    var = tmp_path / "var"
    up = _run(SERVICES_SH, "up", env=services_env, timeout=60)
    try:
        assert up.returncode == 0, up.stderr
        for name in ("fetcher", "cleaner", "enricher", "alerting"):
            assert f"{name} healthy" in up.stderr
            assert (var / "run" / f"{name}.pid").is_file()
            assert (var / "state" / name).is_dir()
        base = int(services_env["SERVICES_PORT_BASE"])
        assert (var / "log" / "enricher.log").read_text().split() == [
            "enricher",
            str(base + 3),
            str(var / "state" / "enricher"),
            "127.0.0.1:1",
        ]
        status = _run(SERVICES_SH, "status", env=services_env)
        assert status.returncode == 0 and status.stdout.count("healthy") == 4, status.stdout
        again = _run(SERVICES_SH, "up", "cleaner", env=services_env, timeout=60)
        assert again.returncode == 0 and "already running" in again.stderr
    finally:
        down = _run(SERVICES_SH, "down", env=services_env, timeout=60)
    assert down.returncode == 0, down.stderr
    assert not list((var / "run").glob("*.pid"))
    assert _run(SERVICES_SH, "status", env=services_env).returncode == 3


def test_services_up_reports_a_worker_that_dies(
    services_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**services_env, "FAIL": "enricher"}
    try:
        up = _run(SERVICES_SH, "up", env=env, timeout=60)
        assert up.returncode == 1
        assert "enricher exited while starting" in up.stderr
        assert "enricher: cannot start" in up.stderr
    finally:
        assert _run(SERVICES_SH, "down", env=env, timeout=60).returncode == 0


def test_services_up_rejects_an_unknown_service(services_env: dict[str, str]) -> None:
    result = _run(SERVICES_SH, "up", "bogus", env=services_env)
    assert result.returncode == 1 and "unknown service" in result.stderr


# --- supervision -----------------------------------------------------------------------


def _pid(path: Path) -> int:
    return int(path.read_text().strip())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in line:
            found.append(f"{cmdline.parent.name}: {line}")
    return found


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_a_killed_worker_is_restarted_and_down_stops_it_for_good(
    services_env: dict[str, str], tmp_path: Path
) -> None:
    import signal

    var = tmp_path / "var"
    run = var / "run"
    env = {**services_env, "SERVICES_BACKOFF_MIN": "1", "SERVICES_BACKOFF_RESET": "60"}
    seen: set[int] = set()
    up = _run(SERVICES_SH, "up", "enricher", env=env, timeout=60)
    try:
        assert up.returncode == 0, up.stderr
        supervisor = _pid(run / "enricher.supervisor.pid")
        first = _pid(run / "enricher.pid")
        seen |= {supervisor, first}
        assert _alive(supervisor) and _alive(first) and supervisor != first
        status = _run(SERVICES_SH, "status", "enricher", env=env)
        assert status.returncode == 0, status.stdout
        assert "restarts 0" in status.stdout and f"supervisor pid {supervisor}" in status.stdout

        os.kill(first, signal.SIGKILL)

        def restarted_and_healthy() -> bool:
            try:
                pid = _pid(run / "enricher.pid")
            except (FileNotFoundError, ValueError):
                return False
            seen.add(pid)
            return pid != first and _run(SERVICES_SH, "status", "enricher", env=env).returncode == 0

        _wait_for(restarted_and_healthy, 20, "the supervisor to restart the enricher")
        assert _pid(run / "enricher.supervisor.pid") == supervisor  # the same supervisor
        logged = "enricher exited (killed by SIGKILL (exit status 137))"
        assert logged in (var / "log" / "enricher.supervisor.log").read_text()
        assert logged in (var / "log" / "enricher.log").read_text()  # next to the worker's lines
        status = _run(SERVICES_SH, "status", "enricher", env=env)
        assert status.returncode == 0 and "healthy" in status.stdout, status.stdout
        assert "restarts 1 (last: killed by SIGKILL (exit status 137) at " in status.stdout
    finally:
        down = _run(SERVICES_SH, "down", "enricher", env=env, timeout=60)
    assert down.returncode == 0, down.stderr
    assert "stopping enricher (supervisor pid" in down.stderr
    # Nothing left: neither supervisor nor any worker it started, no pid file, no restart.
    assert not [pid for pid in seen if _alive(pid)]
    assert not _processes_mentioning(str(tmp_path))
    assert not list(run.glob("*.pid"))
    assert _run(SERVICES_SH, "status", "enricher", env=env).returncode == 3
    time.sleep(1.5)  # longer than the back-off: a restart would have happened by now
    assert not _processes_mentioning(str(tmp_path))
    assert "enricher stopped" in (var / "log" / "enricher.supervisor.log").read_text()


def test_a_worker_that_keeps_dying_is_restarted_with_growing_back_off(
    services_env: dict[str, str], tmp_path: Path
) -> None:
    var = tmp_path / "var"
    env = {**services_env, "FAIL": "cleaner", "SERVICES_BACKOFF_MIN": "1",
           "SERVICES_BACKOFF_MAX": "2"}
    supervisor_log = var / "log" / "cleaner.supervisor.log"
    try:
        up = _run(SERVICES_SH, "up", "cleaner", env=env, timeout=60)
        assert up.returncode == 1 and "cleaner exited while starting" in up.stderr
        # Restarts after 1 s, then 2 s, then 2 s (the cap): the fourth exit comes ~5 s in.
        _wait_for(lambda: "restart 4 in" in supervisor_log.read_text(), 20, "four restarts")
        text = supervisor_log.read_text()
        for n, delay in ((1, 1), (2, 2), (3, 2), (4, 2)):
            line = rf"cleaner exited \(exit status 1\) after \d+s; restart {n} in {delay}s\n"
            assert re.search(line, text), text
        status = _run(SERVICES_SH, "status", "cleaner", env=env)
        assert status.returncode == 1, status.stdout
        assert "cleaner: " in status.stdout and "(last: exit status 1 at" in status.stdout
    finally:
        down = _run(SERVICES_SH, "down", "cleaner", env=env, timeout=60)
    assert down.returncode == 0, down.stderr
    assert not list((var / "run").glob("*.pid"))
    assert not _processes_mentioning(str(tmp_path))
    assert _run(SERVICES_SH, "status", "cleaner", env=env).returncode == 3


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_real_worker_killed_under_services_sh_comes_back_ready(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """The same with a real `frontwire worker cleaner` over a real broker: after SIGKILL the
    supervisor starts it again on its port and it becomes ready (/health 200) by itself."""
    import signal
    import uuid

    base = free_port_block(4)
    env = {
        "FRONTWIRE_VAR_DIR": str(tmp_path / "var"),
        "SERVICES_PORT_BASE": str(base),
        "SERVICES_READY_TIMEOUT": "120",
        "SERVICES_STOP_TIMEOUT": "30",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "FRONTWIRE_TOPIC_PREFIX": f"fwsup{uuid.uuid4().hex[:8]}",
        "FRONTWIRE_CONSOLE_SINK": "false",
    }
    run = tmp_path / "var" / "run"
    seen: set[int] = set()
    up = _run(SERVICES_SH, "up", "cleaner", env=env, timeout=150)
    try:
        assert up.returncode == 0, up.stderr
        supervisor = _pid(run / "cleaner.supervisor.pid")
        first = _pid(run / "cleaner.pid")
        seen |= {supervisor, first}
        os.kill(first, signal.SIGKILL)

        def ready_again() -> bool:
            try:
                pid = _pid(run / "cleaner.pid")
            except (FileNotFoundError, ValueError):
                return False
            seen.add(pid)
            return pid != first and _run(SERVICES_SH, "status", "cleaner", env=env).returncode == 0

        _wait_for(ready_again, 120, "the cleaner to be restarted and ready")
        log = (tmp_path / "var" / "log" / "cleaner.supervisor.log").read_text()
        assert "cleaner exited (killed by SIGKILL (exit status 137))" in log
        assert "restarts 1" in _run(SERVICES_SH, "status", "cleaner", env=env).stdout
    finally:
        down = _run(SERVICES_SH, "down", "cleaner", env=env, timeout=90)
    assert down.returncode == 0, down.stderr
    assert not [pid for pid in seen if _alive(pid)]
    assert not list(run.glob("*.pid"))
    assert _run(SERVICES_SH, "status", "cleaner", env=env).returncode == 3
