"""The real pieces of a distributed run, as processes: a Kafka broker and frontwire workers."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.paths import REPO_ROOT

KAFKA_SCRIPT = REPO_ROOT / "deploy" / "kafka" / "kafka.sh"
FRONTWIRE = REPO_ROOT / ".venv" / "bin" / "frontwire"


class BrokerUnavailable(RuntimeError):
    pass


def free_port() -> int:
    """A free port for a child process to listen on.

    Picked below the kernel's ephemeral range (32768+): a port from that range can be taken by
    any outgoing connection (Kafka clients open many) between our check and the child's bind.
    """
    for _ in range(200):
        port = random.randrange(20000, 32000)  # spreads tests apart; not security
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


@dataclass
class Broker:
    """The project's Kafka broker (deploy/kafka/kafka.sh), or $KAFKA_BOOTSTRAP_SERVERS.

    With ``env`` (kafka.sh settings: KAFKA_DIR, KAFKA_PORT, KAFKA_CONTROLLER_PORT), a broker
    of the test's own, never the external or shared one: for tests that stop the broker."""

    bootstrap: str = ""
    started_here: bool = False
    env: dict[str, str] = field(default_factory=dict)

    def _environ(self) -> dict[str, str]:
        if not self.env:
            return dict(os.environ)
        environ = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        return {**environ, **self.env}

    def start(self) -> Broker:
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if external and not self.env:
            self.bootstrap = external
            return self
        environ = self._environ()
        status = subprocess.run(
            [KAFKA_SCRIPT, "status"], capture_output=True, text=True, env=environ
        )
        self.started_here = status.returncode != 0
        up = subprocess.run(
            [KAFKA_SCRIPT, "up"], capture_output=True, text=True, timeout=240, env=environ
        )
        if up.returncode != 0:
            raise BrokerUnavailable(f"kafka.sh up failed:\n{up.stdout}\n{up.stderr}")
        self.bootstrap = f"127.0.0.1:{environ.get('KAFKA_PORT', '9092')}"
        return self

    @classmethod
    def own(cls, workdir: Path) -> Broker:
        """A broker of the test's own under ``workdir`` on free ports (not started)."""
        return cls(env={
            "KAFKA_DIR": str(workdir / "kafka"),
            "KAFKA_PORT": str(free_port()),
            "KAFKA_CONTROLLER_PORT": str(free_port()),
            "KAFKA_READY_TIMEOUT": "120",
        })

    @property
    def address(self) -> str:
        """Where it listens (or will): for workers started before it."""
        return self.bootstrap or f"127.0.0.1:{self.env.get('KAFKA_PORT', '9092')}"

    def kill(self) -> None:
        """``kill -9`` the test's own broker (``env`` names its KAFKA_DIR): no clean shutdown."""
        assert self.env, "only a broker of the test's own may be killed"
        pidfile = Path(self.env["KAFKA_DIR"]) / "kafka.pid"
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise RuntimeError(f"broker pid {pid} still there after SIGKILL")

    def stop(self) -> None:
        if self.started_here:
            subprocess.run(
                [KAFKA_SCRIPT, "down"], capture_output=True, timeout=120, env=self._environ()
            )


@dataclass
class Workers:
    """frontwire workers as separate processes, isolated by a fresh topic prefix."""

    bootstrap: str
    workdir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"fwtest{uuid.uuid4().hex[:8]}")
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)  # the alerting API and live page
    # Stable across restarts of this set's workers (static group membership), distinct
    # between two sets sharing a prefix.
    instance: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    commands: dict[str, list[str]] = field(default_factory=dict)  # default: frontwire worker X

    def env(self, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "FRONTWIRE_TOPIC_PREFIX": self.prefix,
                "FRONTWIRE_WEB_PORT": str(self.ports[service]),
                "FRONTWIRE_API_PORT": str(self.api_port),
                "FRONTWIRE_INSTANCE_ID": self.instance,
                "FRONTWIRE_STATE_DIR": str(self.workdir / "state" / service),
                "FRONTWIRE_CONSOLE_SINK": "false",
                "FRONTWIRE_LOG_LEVEL": "INFO",
            }
        )
        env.update(self.env_extra)
        return env

    def start(self, *services: str) -> None:
        self.launch(*services)
        for service in services:
            self.wait_healthy(service)

    def launch(self, *services: str) -> None:
        """Start the processes without waiting for them to be ready."""
        for service in services:
            self.ports.setdefault(service, free_port())
            log = (self.workdir / f"{service}.log").open("ab")
            self.procs[service] = subprocess.Popen(
                self.commands.get(service, [str(FRONTWIRE), "worker", service]),
                env=self.env(service),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,
            )

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def wait_healthy(self, service: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs[service]
            if proc.poll() is not None:
                raise RuntimeError(f"{service} exited with {proc.returncode}:\n{self.log(service)}")
            try:
                with urllib.request.urlopen(f"{self.url(service)}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"{service} not healthy after {timeout}s:\n{self.log(service)}")

    def kill(self, service: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(service)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)

    def stop_all(self) -> None:
        for service in list(self.procs):
            proc = self.procs[service]
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for service, proc in list(self.procs.items()):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            del self.procs[service]

    def log(self, service: str, tail: int = 4000) -> str:
        path = self.workdir / f"{service}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


def pipeline_workers(
    bootstrap: str,
    workdir: Path,
    webhook_url: str,
    feeds: Path | None = None,
    rules: Path | None = None,
) -> Workers:
    """The four workers delivering to ``webhook_url``, polling ``feeds`` (or no feed at all),
    alerting on ``rules`` (or the default rule pack)."""
    if feeds is None:
        feeds = workdir / "no-feeds.yaml"
        feeds.write_text("sources: []\n")
    env = {
        "FRONTWIRE_WEBHOOK_URL": webhook_url,
        "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
        "FRONTWIRE_FEEDS_FILE": str(feeds),
    }
    if rules is not None:
        env["FRONTWIRE_RULES_FILES"] = f'["{rules}"]'
    return Workers(bootstrap, workdir, env_extra=env)
