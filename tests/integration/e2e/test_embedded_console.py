"""`frontwire run` as a user runs it, on a terminal (a real pty): one readable line per alert
that no article title can take control of and human log lines, or JSON lines with ``--json``;
and embedded mode observable like a worker: /metrics with the workers' metric names (the ones
the dashboards and alert rules query), /health, /ready and /live, behind the same Host guard."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.paths import REPO_ROOT
from tests.support.articles import deployment_article, push_body
from tests.support.cluster import FRONTWIRE, free_port
from tests.support.embedded import embedded_env, feeds_file, rss, running
from tests.support.http import StaticSite, WebhookReceiver

pytestmark = pytest.mark.slow

TOKEN = "console-push-token"
HOSTILE_TITLE = "\x1b]0;pwned\x07\x1b[2J[bold red]FAKE[/] :warning: troops\x1b[8m hidden"
_OURS = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*\x1b\\")  # rich's colours and link
Sample = tuple[str, tuple[tuple[str, str], ...]]
DELIVERED: Sample = ("frontwire_deliveries_total", (("outcome", "delivered"), ("sink", "console")))


class Terminal:
    """A pty for the child's stdout and stderr; what it writes is read as it comes (a full
    pty would block it). Close `slave` once the child has it: the reader then ends with it."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.data = bytearray()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every process closed its end
                return
            if not chunk:
                return
            self.data += chunk

    def lines(self) -> list[str]:
        return self.data.decode("utf-8", "replace").replace("\r\n", "\n").splitlines()

    def wait_for(self, found: Callable[[list[str]], bool], timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while not found(lines := self.lines()):
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise AssertionError(f"not on the terminal: {bytes(self.data)!r}")
            time.sleep(0.1)
        return lines

    def ended(self) -> list[str]:
        self._thread.join(timeout=60)
        os.close(self.master)
        return self.lines()


def _terminal_env(tmp_path: Path, hook: WebhookReceiver, port: int) -> dict[str, str]:
    env = embedded_env(tmp_path, hook, port, FRONTWIRE_PUSH_TOKEN=TOKEN,
                       FRONTWIRE_CONSOLE_SINK="true", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    return env


def _alert_line(lines: list[str]) -> str | None:
    return next((x for x in lines if re.search(r"\bNEW\b", _OURS.sub("", x))), None)


def test_a_terminal_gets_safe_alert_lines_and_the_port_serves_the_probes(
    tmp_path: Path,
) -> None:
    article = {**deployment_article(81), "title": HOSTILE_TITLE}
    port, terminal = free_port(), Terminal()
    with StaticSite() as site, WebhookReceiver() as hook:
        site.pages["/feed.xml"] = rss([])
        base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {TOKEN}"}
        feeds = feeds_file(tmp_path, f"{site.url}/feed.xml")
        with running(feeds, _terminal_env(tmp_path, hook, port), tmp_path / "run.log",
                     tty=terminal.slave), httpx.Client(timeout=60) as client:
            os.close(terminal.slave)
            assert client.get(f"{base}/health").json()["ready"] is True
            pushed = client.post(f"{base}/articles", json=push_body(article), headers=auth)
            assert pushed.status_code == 202, pushed.text
            line = _alert_line(terminal.wait_for(lambda lines: _alert_line(lines) is not None))
            # The sink counts a delivery once the line is out: scrape until it has.
            scraped = _scrape_until(client, f"{base}/metrics", DELIVERED)
            probes = {path: client.get(f"{base}{path}") for path in ("/health", "/ready", "/live")}
            rebound = client.get(f"{base}/metrics", headers={"Host": "evil.example"})
        logs = terminal.ended()
    # The alert on the terminal: coloured, readable, and the title printed as text.
    assert line is not None and "\x1b[" in line
    plain = _OURS.sub("", line)
    assert not [c for c in plain if c in "\x1b\x07\x9b"], repr(line)
    assert "pwned" not in line and "[bold red]FAKE[/] :warning: troops hidden" in plain
    assert re.search(r"(CRITICAL|WARNING|INFO)\s+NEW .*troops", plain), plain
    # Log lines for people too: not JSON, no control sequence but the renderer's colours.
    started = [x for x in logs if "intake_started" in x]
    assert started and not started[0].lstrip().startswith("{"), logs
    assert not [c for x in logs for c in _OURS.sub("", x) if c in "\x1b\x07\x9b"]

    assert scraped.status_code == 200
    assert scraped.headers["Content-Type"].startswith("text/plain; version=")  # Prometheus text
    exported = set(re.findall(r"^# TYPE (\S+) ", scraped.text, re.MULTILINE))
    assert _queried_metrics() - exported == set()  # the same names as the workers'
    samples = _samples(scraped.text)
    assert samples[("frontwire_up", (("stage", "embedded"),))] == 1
    assert samples[("frontwire_messages_in_total", (("stage", "embedded"),))] >= 1
    assert samples[("frontwire_fetcher_pushes_total", (("outcome", "accepted"),))] == 1
    assert samples[DELIVERED] == 1
    for path, answer in probes.items():
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json()["service"] == "embedded"
    assert probes["/health"].json()["ready"] and probes["/live"].json()["live"]
    assert rebound.status_code == 403


def test_json_on_a_terminal_when_asked(tmp_path: Path) -> None:
    article = {**deployment_article(82), "title": HOSTILE_TITLE}
    terminal = Terminal()
    with StaticSite() as site, WebhookReceiver() as hook:
        site.pages["/a.txt"] = ("text/plain", article["text"].encode())
        site.pages["/feed.xml"] = rss([("hostile", f"{site.url}/a.txt")])
        feeds = feeds_file(tmp_path, f"{site.url}/feed.xml")
        done = subprocess.run(
            [str(FRONTWIRE), "run", "--once", "--json", "--feeds", str(feeds)],
            stdout=terminal.slave, stderr=subprocess.STDOUT, timeout=300,
            env=_terminal_env(tmp_path, hook, free_port()),
        )
        os.close(terminal.slave)
        lines = terminal.ended()
    assert done.returncode == 0, lines[-20:]
    records = [orjson.loads(x) for x in lines]  # every line, alerts and logs alike
    alerts = [r for r in records if "delivery_key" in r]
    assert len(alerts) == 1 and "troops" in alerts[0]["summary"]
    assert any(r.get("event") == "embedded_started" for r in records)


def _samples(text: str) -> dict[Sample, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _scrape_until(client: httpx.Client, url: str, sample: Sample, timeout: float = 60
                  ) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        scraped = client.get(url)
        if scraped.status_code != 200 or sample in _samples(scraped.text):
            return scraped
        if time.monotonic() > deadline:
            raise AssertionError(f"no {sample} in {url} after {timeout} s:\n{scraped.text}")
        time.sleep(0.1)


def _queried_metrics() -> set[str]:
    """Metric names the dashboards and Prometheus rules use (histograms by their family)."""
    names = set()
    for path in (REPO_ROOT / "deploy").rglob("*"):
        if path.suffix in (".json", ".yml", ".yaml"):
            names |= set(re.findall(r"frontwire_[a-z_]+", path.read_text()))
    return {re.sub(r"_(bucket|sum|count)$", "", name) for name in names}
