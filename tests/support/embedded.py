"""`frontwire run` as a user runs it, for the end-to-end tests: its environment (loopback
sources allowed, a webhook to count alerts, its own state and port), feeds files, and the
running process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.cluster import FRONTWIRE
from tests.support.http import WebhookReceiver


def embedded_env(tmp_path: Path, hook: WebhookReceiver, port: int, **extra: str
                 ) -> dict[str, str]:
    """The environment, without any FRONTWIRE_* setting of the caller's; alerts go to
    ``hook``, the push endpoint and probes listen on ``port`` (not the shared 6066)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FRONTWIRE_")}
    return {
        **environ,
        "FRONTWIRE_STATE_DIR": str(tmp_path / "state"),
        "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
        "FRONTWIRE_WEBHOOK_URL": f"{hook.url}/hook",
        "FRONTWIRE_CONSOLE_SINK": "false",
        "FRONTWIRE_API_ENABLED": "false",
        "FRONTWIRE_WEB_PORT": str(port),
        **extra,
    }


def rss(items: list[tuple[str, str]]) -> tuple[str, bytes]:
    """An RSS feed of (title, link) items, as a StaticSite page."""
    entries = "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in items)
    return ("application/rss+xml", (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}'
        "</channel></rss>").encode())


def feeds_file(tmp_path: Path, url: str) -> Path:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"sources:\n  - name: loopback\n    url: {url}\n")
    return feeds


def listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}: {log.read_text()[-3000:]}")


@contextmanager
def running(feeds: Path, env: dict[str, str], log: Path, *args: str,
            tty: int | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """`frontwire run [args]` until the block ends (then SIGTERM: a clean stop, checked).
    Its stdout and stderr go to ``log``, or to the terminal ``tty`` (a pty's fd)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(FRONTWIRE), "run", "--feeds", str(feeds), *args],
            stdout=out if tty is None else tty, stderr=subprocess.STDOUT, env=env,
        )
        try:
            listening(proc, int(env["FRONTWIRE_WEB_PORT"]), log)
            yield proc
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        finally:
            proc.kill()
            proc.wait(timeout=60)
