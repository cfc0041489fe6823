"""`frontwire run` as a user runs it, on a terminal (a real pty): one readable line per alert
that no article title can take control of, log lines as JSON where no one reads them (a file);
and embedded mode observable like a worker: /metrics with the workers' metric names (the ones
the dashboards and alert rules query), /health, /ready and /live, behind the same Host guard."""

from __future__ import annotations

import os
import pty
import re
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.paths import REPO_ROOT
from tests.support.articles import deployment_article, push_body
from tests.support.cluster import free_port
from tests.support.embedded import embedded_env, feeds_file, rss, running
from tests.support.http import StaticSite, WebhookReceiver

pytestmark = pytest.mark.slow

TOKEN = "console-push-token"
HOSTILE_TITLE = "\x1b]0;pwned\x07\x1b[2J[bold red]FAKE[/] :warning: troops\x1b[8m hidden"
_OURS = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*\x1b\\")  # rich's colours and link


class PtyReader:
    """What the child writes to its terminal, read as it comes (a full pty would block it)."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.data = bytearray()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed its end
                return
            if not chunk:
                return
            self.data += chunk

    def lines(self, count: int, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.data.decode("utf-8", "replace").replace("\r\n", "\n")
            if text.count("\n") >= count:
                return text.splitlines()
            time.sleep(0.1)
        raise AssertionError(f"no {count} line(s) on the terminal: {bytes(self.data)!r}")


DELIVERED = ("frontwire_deliveries_total", (("outcome", "delivered"), ("sink", "console")))


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _scrape_until(client: httpx.Client, url: str, sample: tuple[str, tuple[tuple[str, str], ...]],
                  timeout: float = 60) -> httpx.Response:
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


def test_a_terminal_gets_safe_alert_lines_and_the_port_serves_the_probes(
    tmp_path: Path,
) -> None:
    article = {**deployment_article(81), "title": HOSTILE_TITLE}
    port, terminal = free_port(), PtyReader()
    with StaticSite() as site, WebhookReceiver() as hook:
        site.pages["/feed.xml"] = rss([])
        env = embedded_env(tmp_path, hook, port, FRONTWIRE_PUSH_TOKEN=TOKEN,
                           FRONTWIRE_CONSOLE_SINK="true", TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        log = tmp_path / "run.log"
        base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {TOKEN}"}
        feeds = feeds_file(tmp_path, f"{site.url}/feed.xml")
        with running(feeds, env, log, stdout=terminal.slave), httpx.Client(timeout=60) as client:
            os.close(terminal.slave)
            assert client.get(f"{base}/health").json()["ready"] is True
            pushed = client.post(f"{base}/articles", json=push_body(article), headers=auth)
            assert pushed.status_code == 202, pushed.text
            [line] = terminal.lines(1)
            # The sink counts a delivery once the line is out: scrape until it has.
            scraped = _scrape_until(client, f"{base}/metrics", DELIVERED)
            probes = {path: client.get(f"{base}{path}") for path in ("/health", "/ready", "/live")}
            rebound = client.get(f"{base}/metrics", headers={"Host": "evil.example"})
        # The alert on the terminal: coloured, readable, and the title printed as text.
        assert "\x1b[" in line
        plain = _OURS.sub("", line)
        assert not [c for c in plain if c in "\x1b\x07\x9b"], repr(line)
        assert "pwned" not in line and "[bold red]FAKE[/] :warning: troops hidden" in plain
        assert re.search(r"(CRITICAL|WARNING|INFO)\s+NEW .*troops", plain), plain
        # Logs went to a file: JSON lines, as before.
        events = [orjson.loads(x)["event"] for x in log.read_text().splitlines()]
        assert "intake_started" in events and "article_received" in events

    assert scraped.status_code == 200
    assert scraped.headers["Content-Type"].startswith("text/plain; version=")  # Prometheus text
    text = scraped.text
    exported = set(re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE))
    assert _queried_metrics() - exported == set()  # the same names as the workers'
    samples = _samples(text)
    assert samples[("frontwire_up", (("stage", "embedded"),))] == 1
    assert samples[("frontwire_messages_in_total", (("stage", "embedded"),))] >= 1
    assert samples[("frontwire_fetcher_pushes_total", (("outcome", "accepted"),))] == 1
    assert samples[DELIVERED] == 1
    for path, answer in probes.items():
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json()["service"] == "embedded"
    assert probes["/health"].json()["ready"] and probes["/live"].json()["live"]
    assert rebound.status_code == 403
