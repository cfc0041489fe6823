"""Embedded mode takes articles as the Kafka fetcher does, as a user runs it (`frontwire run`
on loopback): POST /articles behind the same guard and token rule, WebSub callbacks for the
hubs the polled feeds name, and one dedup step in front of the pipeline, so an article pushed
twice, or pushed and then polled, is alerted once."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.articles import deployment_article, push_body
from tests.support.cluster import FRONTWIRE, free_port
from tests.support.embedded import embedded_env, feeds_file, rss, running
from tests.support.http import Received, StaticSite, WebhookReceiver
from tests.support.websub import serve_hub, websub_rss

pytestmark = pytest.mark.slow

TOKEN = "s3cret-push-token"


def _alerts(hook: WebhookReceiver, count: int, timeout: float = 60) -> list[Received]:
    return hook.wait_for(lambda r: len(r) >= count, timeout=timeout)


def test_pushed_once_twice_or_then_polled_is_alerted_once(tmp_path: Path) -> None:
    article = deployment_article(71)
    port = free_port()
    with StaticSite() as site, WebhookReceiver() as hook:
        url = f"{site.url}/a.txt"
        site.pages["/a.txt"] = ("text/plain", article["text"].encode())
        site.pages["/feed.xml"] = rss([])  # nothing listed yet
        feeds = feeds_file(tmp_path, f"{site.url}/feed.xml")
        env = embedded_env(tmp_path, hook, port, FRONTWIRE_PUSH_TOKEN=TOKEN)
        base = f"http://127.0.0.1:{port}"
        body = {**push_body(article), "url": url}
        auth = {"Authorization": f"Bearer {TOKEN}"}
        with running(feeds, env, tmp_path / "run.log"), httpx.Client(timeout=60) as client:
            # Refused as by the Kafka fetcher, before anything is read or emitted.
            cross = client.post(f"{base}/articles", json=body,
                                headers={**auth, "Origin": "http://127.0.0.1:1"})
            assert cross.status_code == 403, cross.text
            rebound = client.post(f"{base}/articles", json=body,
                                  headers={**auth, "Host": "evil.example"})
            assert rebound.status_code == 403, rebound.text
            plain = client.post(f"{base}/articles", content=article["text"].encode(),
                                headers={**auth, "Content-Type": "text/plain"})
            assert plain.status_code == 415, plain.text
            assert client.post(f"{base}/articles", json=body).status_code == 401
            wrong = client.post(f"{base}/articles", json=body,
                                headers={"Authorization": "Bearer wrong"})
            assert wrong.status_code == 401
            assert hook.snapshot() == []
            # With the token: taken through the whole pipeline before the answer.
            first = client.post(f"{base}/articles", json=body, headers=auth)
            assert first.status_code == 202, first.text
            assert len(_alerts(hook, 1)) == 1
            again = client.post(f"{base}/articles", json=body, headers=auth)
            assert again.status_code == 202 and again.json() == first.json()
        log = (tmp_path / "run.log").read_text()
        assert log.count('"article_received"') == 2, log[-3000:]
        assert len(hook.snapshot()) == 1, "pushed twice: alerted twice"
        # Now a feed lists the same page: polled after a restart, stopped at the dedup step.
        site.pages["/feed.xml"] = rss([(article["title"], url)])
        polled = subprocess.run([str(FRONTWIRE), "run", "--once", "--feeds", str(feeds)],
                                env=env, capture_output=True, text=True, timeout=300)
        assert polled.returncode == 0, polled.stderr[-3000:]
        assert '"article_fetched"' in polled.stderr, polled.stderr[-3000:]  # polled, then dropped
        time.sleep(0.5)
        assert len(hook.snapshot()) == 1, "pushed then polled: alerted twice"


def test_without_a_token_loopback_is_open_and_beyond_loopback_refuses_to_start(
    tmp_path: Path,
) -> None:
    article = deployment_article(72)
    port = free_port()
    with StaticSite() as site, WebhookReceiver() as hook:
        site.pages["/feed.xml"] = rss([])
        feeds = feeds_file(tmp_path, f"{site.url}/feed.xml")
        env = embedded_env(tmp_path, hook, port)
        exposed = subprocess.run(
            [str(FRONTWIRE), "run", "--feeds", str(feeds)], capture_output=True, text=True,
            timeout=120, env={**env, "FRONTWIRE_WEB_HOST": "0.0.0.0"},
        )
        assert exposed.returncode == 2, exposed.stderr[-3000:]
        assert "FRONTWIRE_PUSH_TOKEN" in exposed.stderr
        assert "not a loopback address" in exposed.stderr
        # Loopback without a token: open to local programs, as the Kafka fetcher's port is.
        with running(feeds, env, tmp_path / "run.log"), httpx.Client(timeout=60) as client:
            done = client.post(f"http://127.0.0.1:{port}/articles", json=push_body(article))
            assert done.status_code == 202, done.text
            [alert] = _alerts(hook, 1)
            assert "troops" in str(alert.body).lower()


@pytest.mark.asyncio
async def test_websub_content_for_a_subscribed_topic_is_alerted(tmp_path: Path) -> None:
    articles = [deployment_article(73), deployment_article(74)]
    port = free_port()
    with StaticSite() as site, WebhookReceiver() as hook:
        async with serve_hub() as hub:
            topic = f"{site.url}/feed.xml"
            links = [f"{site.url}/a{i}.txt" for i in range(2)]
            titles = [a["title"] for a in articles]
            for i, article in enumerate(articles):
                site.pages[f"/a{i}.txt"] = ("text/plain", article["text"].encode())
            feed = websub_rss(hub.url, topic, links[:1], titles[:1])
            site.pages["/feed.xml"] = ("application/rss+xml", feed.encode())
            feeds = feeds_file(tmp_path, topic)
            env = embedded_env(tmp_path, hook, port, FRONTWIRE_PUSH_TOKEN=TOKEN,
                       FRONTWIRE_WEBSUB_CALLBACK_BASE=f"http://127.0.0.1:{port}",
                       FRONTWIRE_WEBSUB_SECRET="websub-master")
            with running(feeds, env, tmp_path / "run.log"):
                assert len(await asyncio.to_thread(_alerts, hook, 1)) == 1  # the poll
                async with asyncio.timeout(60):  # the poll found the hub: we subscribe
                    while not hub.verified:
                        await asyncio.sleep(0.1)
                assert hub.verified == [True] and topic in hub.subs
                body = websub_rss(hub.url, topic, links, titles).encode()
                assert await hub.publish(topic, body, secret="forged") == 403
                assert await hub.publish(topic, body) == 202
                got = await asyncio.to_thread(_alerts, hook, 2)
                # the second article came by WebSub; the first was seen at the poll
                assert len(got) == 2, (tmp_path / "run.log").read_text()[-3000:]
                await asyncio.sleep(0.5)
                assert len(hook.snapshot()) == 2
