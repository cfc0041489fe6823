"""Embedded mode as a user runs it: the `frontwire` command, real files, real loopback HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import orjson

from tests.paths import SEED_ARTICLE, require_shared
from tests.support.articles import deployment_article
from tests.support.cluster import FRONTWIRE, free_port
from tests.support.http import StaticSite, WebhookReceiver


def _frontwire(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FRONTWIRE), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_replay_prints_troop_and_munitions_alerts() -> None:
    done = _frontwire("replay", "--json", str(require_shared(SEED_ARTICLE)))
    assert done.returncode == 0, done.stderr
    alerts = [orjson.loads(line) for line in done.stdout.splitlines() if line.strip()]
    types = {a["event"]["type"] for a in alerts}
    assert {"troop_deployment", "arms_transfer"} <= types, done.stdout
    assert not any("Powell" in a["summary"] or "Zelenskyy" in a["summary"] for a in alerts)


def test_replay_of_own_jsonl_prints_one_alert_per_article(tmp_path: Path) -> None:
    lines = [deployment_article(i) for i in range(3)]
    path = tmp_path / "articles.jsonl"
    path.write_bytes(
        b"".join(orjson.dumps({k: a[k] for k in ("url", "title", "text")}) + b"\n" for a in lines)
    )
    done = _frontwire("replay", str(path))
    assert done.returncode == 0, done.stderr
    printed = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(printed) == 3, done.stdout
    assert all("troop" in line.lower() for line in printed)


def test_run_once_then_restart_neither_refetches_nor_realerts(tmp_path: Path) -> None:
    article = deployment_article(3)
    with StaticSite() as site, WebhookReceiver() as hook:
        site.pages["/a.txt"] = ("text/plain", article["text"].encode())
        site.pages["/feed.xml"] = (
            "application/rss+xml",
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f"<item><title>{article['title']}</title><link>{site.url}/a.txt</link></item>"
                "</channel></rss>"
            ).encode(),
        )
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"sources:\n  - name: loopback\n    url: {site.url}/feed.xml\n")
        env = {
            "FRONTWIRE_STATE_DIR": str(tmp_path / "state"),
            "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
            "FRONTWIRE_WEBHOOK_URL": f"{hook.url}/hook",
            "FRONTWIRE_CONSOLE_SINK": "false",
        }
        first = _frontwire("run", "--once", "--feeds", str(feeds), env=env)
        assert first.returncode == 0, first.stderr
        assert len(hook.snapshot()) == 1, first.stderr
        second = _frontwire("run", "--once", "--feeds", str(feeds), env=env)
        assert second.returncode == 0, second.stderr
        assert len(hook.snapshot()) == 1, "a restart re-alerted"


def test_sigterm_mid_delivery_finishes_it_and_a_restart_sends_nothing_again(
    tmp_path: Path,
) -> None:
    article = deployment_article(5)
    with StaticSite() as site, WebhookReceiver(delay_s=2.0) as hook:
        site.pages["/a.txt"] = ("text/plain", article["text"].encode())
        site.pages["/feed.xml"] = ("application/rss+xml", (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{article['title']}</title><link>{site.url}/a.txt</link></item>"
            "</channel></rss>").encode())
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"sources:\n  - name: loopback\n    url: {site.url}/feed.xml\n")
        env = {**os.environ, "FRONTWIRE_STATE_DIR": str(tmp_path / "state"),
               "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]', "FRONTWIRE_API_ENABLED": "false",
               "FRONTWIRE_WEBHOOK_URL": f"{hook.url}/hook", "FRONTWIRE_CONSOLE_SINK": "false",
               "FRONTWIRE_WEB_PORT": str(free_port())}  # the push endpoint: not 6066
        proc = subprocess.Popen([str(FRONTWIRE), "run", "--feeds", str(feeds)],
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            # The receiver holds the delivery for 2 s: the stop arrives while it is in flight.
            assert hook.wait_arrived(1, timeout=120) == 1
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert proc.returncode == 0, stderr[-3000:]
        assert "embedded_stopping" in stderr
        assert len(hook.snapshot()) == 1, stderr[-3000:]  # the delivery was finished
        again = _frontwire("run", "--once", "--feeds", str(feeds), env=env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert hook.arrived == 1, again.stderr[-3000:]  # its answer was recorded: not resent


def test_run_with_unreachable_feed_logs_and_exits_cleanly(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources:\n  - name: nowhere\n    url: http://127.0.0.1:9/feed.xml\n")
    env = {
        "FRONTWIRE_STATE_DIR": str(tmp_path / "state"),
        "FRONTWIRE_FETCH_ALLOW_HOSTS": '["127.0.0.1"]',
    }
    done = _frontwire("run", "--once", "--feeds", str(feeds), env=env)
    assert done.returncode == 0, done.stderr
    assert "nowhere" in done.stderr or "127.0.0.1:9" in done.stderr


def test_bad_setting_is_refused_naming_the_field(tmp_path: Path) -> None:
    done = _frontwire("run", "--once", env={"FRONTWIRE_WEB_PORT": "not-a-port"})
    assert done.returncode == 2
    assert "FRONTWIRE_WEB_PORT" in done.stderr
