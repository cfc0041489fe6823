"""Embedded mode as a user runs it, with every hostile source of issue 11 next to a good one
on a real loopback server: the good article is alerted, the process keeps running (or, with
``--once``, exits 0), the bad sources are logged, counted and backed off — and a restart does
the same. A kill -9 mid-poll loses no article and repeats no alert."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.support.articles import deployment_article
from tests.support.cluster import FRONTWIRE, free_port
from tests.support.embedded import embedded_env
from tests.support.hostile import FAILING_FEEDS, feeds_yaml, hostile_site
from tests.support.http import StaticSite, WebhookReceiver

pytestmark = pytest.mark.slow


@pytest.fixture
def site() -> Iterator[StaticSite]:
    with hostile_site() as served:
        yield served


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _env(tmp_path: Path, hook: WebhookReceiver) -> dict[str, str]:
    return embedded_env(tmp_path, hook, free_port())  # the push endpoint: not the shared 6066


def _logs(stderr: str) -> list[dict[str, object]]:
    out = []
    for line in stderr.splitlines():
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    return out


def _backed_off(stderr: str) -> set[str]:
    return {str(e.get("url")) for e in _logs(stderr) if e.get("event") == "source_backed_off"}


def test_run_once_alerts_the_good_article_and_backs_off_the_bad(
    site: StaticSite, hook: WebhookReceiver, tmp_path: Path,
) -> None:
    feeds = feeds_yaml(site.url, tmp_path / "feeds.yaml")
    env = _env(tmp_path, hook)
    for run in ("first", "restart"):
        done = subprocess.run([str(FRONTWIRE), "run", "--once", "--feeds", str(feeds)],
                              capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, f"{run}: {done.stderr[-3000:]}"
        assert _backed_off(done.stderr) >= {f"{site.url}{f}" for f in FAILING_FEEDS}, run
        assert len(hook.snapshot()) == 1, f"{run}: {done.stderr[-3000:]}"  # not re-alerted
    assert "troop" in orjson.dumps(hook.snapshot()[0].body).decode().lower()


def test_a_running_embedded_process_outlives_every_hostile_source(
    site: StaticSite, hook: WebhookReceiver, tmp_path: Path,
) -> None:
    feeds = feeds_yaml(site.url, tmp_path / "feeds.yaml")
    log = tmp_path / "run.log"
    for run in ("first", "restart"):
        with log.open("wb") as out:
            proc = subprocess.Popen([str(FRONTWIRE), "run", "--feeds", str(feeds)],
                                    stdout=out, stderr=subprocess.STDOUT,
                                    env=_env(tmp_path, hook), start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            want = {f"{site.url}{f}" for f in FAILING_FEEDS}
            while time.monotonic() < deadline and not want <= _backed_off(log.read_text()):
                assert proc.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
            assert want <= _backed_off(log.read_text()), f"{run}: {log.read_text()[-3000:]}"
            hook.wait_for(lambda r: len(r) >= 1, timeout=60)
            assert proc.poll() is None, f"{run}: {log.read_text()[-3000:]}"  # still running
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
    assert len(hook.snapshot()) == 1  # the restart did not alert the good article again


def test_kill_9_mid_poll_loses_no_article_and_repeats_no_alert(
    hook: WebhookReceiver, tmp_path: Path,
) -> None:
    articles = [deployment_article(40 + i) for i in range(6)]
    with StaticSite() as site:
        links = ""
        for i, article in enumerate(articles):
            site.pages[f"/a{i}.txt"] = ("text/plain", article["text"].encode())
            links += (f"<item><title>{article['title']}</title>"
                      f"<link>{site.url}/a{i}.txt</link></item>")
        site.pages["/feed.xml"] = ("application/rss+xml", (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{links}'
            "</channel></rss>").encode())
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"sources:\n  - name: loop\n    url: {site.url}/feed.xml\n")
        env = _env(tmp_path, hook)
        log = (tmp_path / "run.log").open("wb")
        # Politeness (1 s between requests to a host) makes the poll last several seconds.
        proc = subprocess.Popen([str(FRONTWIRE), "run", "--feeds", str(feeds)], stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            hook.wait_for(lambda r: len(r) >= 1, timeout=120)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        before = [r.headers.get("Idempotency-Key") for r in hook.snapshot()]
        done = subprocess.run([str(FRONTWIRE), "run", "--once", "--feeds", str(feeds)],
                              capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    got = hook.snapshot()
    keys = Counter(r.headers.get("Idempotency-Key") for r in got)
    # no article lost: every one alerted, under one key each (what the receiver dedupes on)
    assert len(keys) == len(articles), f"killed after {len(before)}: {sorted(keys)}"
    # The kill lands just after the receiver got a delivery, possibly before the process
    # recorded its answer: such a delivery was on the wire and may be sent once more, with
    # the same key. Nothing sent after the restart is repeated, nothing more than once.
    repeated = {k for k, n in keys.items() if n > 1}
    assert max(keys.values()) <= 2, f"repeated: {keys}"
    assert repeated <= set(before), f"repeated {repeated}, sent before the kill {before}"
