"""One contract, both runtimes: the same records at the same port (``fetch.dedup``, the input of
the dedup stage) give the same alerts, the same updates, the same silencing and the same
grouping timing — in process (embedded mode's runtime, objects from the composition root) and
over Kafka (the four workers as processes on a real broker). Delivered through a real webhook
sink to a loopback receiver; silences made through the real API."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.embedded import embedded_pipeline
from services.flow import partition_key
from services.runtimes.inprocess import InProcessPipeline
from shared.codec import encode
from shared.records import RawArticle
from shared.settings import load_settings
from tests.support.articles import PAIRS, deployment_article, outlet_reports
from tests.support.cluster import free_port, pipeline_workers
from tests.support.http import WebhookReceiver

pytestmark = [pytest.mark.slow]

TOKEN = "contract-token"
GROUP_WAIT_S = 6
PLAIN_AT = (21, 22)  # North Korea -> Ethiopia, North Korea -> Somalia
PLAIN = [deployment_article(i) for i in PLAIN_AT]  # two events, two alerts
UPDATED = outlet_reports(5)  # North Korea -> Germany, three outlets: one alert, three versions
FOLDED = outlet_reports(40)  # North Korea -> Canada, three outlets at once: one delivery
QUIET = deployment_article(next(i for i, (s, r) in enumerate(PAIRS) if r == "France"))
# Another event with a country of the "plain" rule: shows the pipeline went on past QUIET.
CONTROL = deployment_article(
    next(i for i, (s, r) in enumerate(PAIRS) if r == PAIRS[PLAIN_AT[0]][1]
         and s == "Russia"))
RULES = f"""\
version: 1
rules:
  - name: plain
    severity: warning
    match: {{event_types: [troop_deployment], countries: [{PLAIN[0]["recipient"]},
                                                          {PLAIN[1]["recipient"]}]}}
    routes: [webhook]
  - name: every-report
    severity: critical
    match: {{event_types: [troop_deployment], countries: [DE]}}
    routes: [webhook]
  - name: folded
    severity: warning
    group_wait: {GROUP_WAIT_S}s
    match: {{event_types: [troop_deployment], countries: [CA]}}
    routes: [webhook]
  - name: quiet
    severity: info
    match: {{event_types: [troop_deployment], countries: [FR]}}
    routes: [webhook]
"""


def raw(article: dict[str, str]) -> RawArticle:
    return RawArticle(id=hashlib.sha1(article["url"].encode()).hexdigest(), url=article["url"],
                      source="push",
                      content_type="text/plain", body=article["text"],
                      title_hint=article["title"], stamps={"fetched": time.time()})


class Runtime(Protocol):
    api_url: str
    webhook: WebhookReceiver

    def send(self, article: dict[str, str]) -> None: ...


class InProcess:
    """The in-process runtime on its own event loop thread, as embedded mode runs it."""

    def __init__(self, workdir: Path, webhook: WebhookReceiver, rules: Path) -> None:
        self.webhook = webhook
        self.api_url = f"http://127.0.0.1:{free_port()}"
        self.settings = load_settings(
            state_dir=workdir / "state", webhook_url=f"{webhook.url}/hook", rules_files=[rules],
            console_sink=False, api_port=int(self.api_url.rsplit(":", 1)[1]), api_token=TOKEN,
            feeds_file=workdir / "no-feeds.yaml",
        )
        (workdir / "no-feeds.yaml").write_text("sources: []\n")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.pipeline: InProcessPipeline = self.call(self._start)

    def call(self, coro: Callable[[], Any]) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro(), self.loop)
        return future.result(timeout=120)

    async def _start(self) -> InProcessPipeline:
        pipeline = embedded_pipeline(self.settings)
        await pipeline.start()
        assert pipeline.built.live is not None
        await pipeline.built.live.serve(self.settings)
        return pipeline

    def send(self, article: dict[str, str]) -> None:
        async def go() -> None:
            await self.pipeline.send("dedup", raw(article))

        asyncio.run_coroutine_threadsafe(go(), self.loop)  # like a push: do not wait for it

    def close(self) -> None:
        async def stop() -> None:
            await self.pipeline.aclose()
            assert self.pipeline.built.live is not None
            await self.pipeline.built.live.aclose()

        self.call(stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class OverKafka:
    """The four workers on a real broker; records produced to the dedup stage's topic."""

    def __init__(
        self, bootstrap: str, workdir: Path, webhook: WebhookReceiver, rules: Path
    ) -> None:
        self.webhook = webhook
        self.workers = pipeline_workers(bootstrap, workdir, f"{webhook.url}/hook", rules=rules)
        self.workers.env_extra["FRONTWIRE_API_TOKEN"] = TOKEN
        self.workers.start("fetcher", "cleaner", "enricher", "alerting")
        self.api_url = self.workers.api_url
        self.bootstrap = bootstrap

    def send(self, article: dict[str, str]) -> None:
        record = raw(article)

        async def go() -> None:
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap)
            await producer.start()
            try:
                await producer.send_and_wait(f"{self.workers.prefix}.fetch.dedup", encode(record),
                                             key=partition_key(record).encode())
            finally:
                await producer.stop()

        asyncio.run(go())

    def close(self) -> None:
        self.workers.stop_all()


@pytest.fixture(scope="module", params=["inprocess", "kafka"])
def runtime(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    workdir = tmp_path_factory.mktemp(request.param)
    rules = workdir / "rules.yaml"
    rules.write_text(RULES)
    with WebhookReceiver() as webhook:
        made: InProcess | OverKafka
        if request.param == "inprocess":
            made = InProcess(workdir, webhook, rules)
        else:
            made = OverKafka(request.getfixturevalue("kafka_bootstrap"), workdir, webhook, rules)
        try:
            yield made
        finally:
            made.close()


def alerts(runtime: Runtime, rule: str) -> list[dict[str, Any]]:
    return [r.body["data"] for r in runtime.webhook.snapshot() if r.body["data"]["rule"] == rule]


def wait(runtime: Runtime, rule: str, count: int, timeout: float = 120) -> list[dict[str, Any]]:
    runtime.webhook.wait_for(lambda _: len(alerts(runtime, rule)) >= count, timeout=timeout)
    return alerts(runtime, rule)


def test_the_same_inputs_raise_the_same_alerts(runtime: Runtime) -> None:
    for article in PLAIN:
        runtime.send(article)
    runtime.send(PLAIN[0])  # the same article again: the dedup stage drops it
    wait(runtime, "plain", 2)
    time.sleep(2)  # a duplicate would arrive meanwhile
    got = alerts(runtime, "plain")
    assert sorted((a["version"], a["severity"], a["event"]["type"]) for a in got) == [
        (1, "warning", "troop_deployment")] * 2
    actors = sorted(tuple(sorted(x["code"] for x in a["event"]["actors"])) for a in got)
    assert actors == sorted(tuple(sorted((p["sender"], p["recipient"]))) for p in PLAIN)


def test_corroboration_updates_one_alert(runtime: Runtime) -> None:
    for n, article in enumerate(UPDATED, start=1):
        runtime.send(article)
        wait(runtime, "every-report", n)
    got = alerts(runtime, "every-report")
    assert len({a["alert_id"] for a in got}) == 1
    assert [a["version"] for a in got] == [1, 2, 3]
    assert [len(a["sources"]) for a in got] == [1, 2, 3]


def test_a_silence_made_through_the_api_holds_matching_alerts_back(runtime: Runtime) -> None:
    with httpx.Client(timeout=10) as client:
        made = client.post(
            f"{runtime.api_url}/api/silences",
            json={"matchers": {"rule": "quiet"}, "duration": "1h", "created_by": "contract"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert made.status_code == 201, made.text
    time.sleep(1)  # over Kafka, the silence reaches every instance through its topic
    before = len(alerts(runtime, "plain"))
    runtime.send(QUIET)
    runtime.send(CONTROL)  # not silenced
    assert len(wait(runtime, "plain", before + 1)) == before + 1
    time.sleep(3)
    assert alerts(runtime, "quiet") == []


def test_group_wait_folds_near_simultaneous_reports_into_one_delivery(runtime: Runtime) -> None:
    sent_at = time.time()
    for article in FOLDED:
        runtime.send(article)
    wait(runtime, "folded", 1, timeout=GROUP_WAIT_S + 90)
    time.sleep(3)  # a second version would arrive meanwhile
    got = alerts(runtime, "folded")
    assert [a["version"] for a in got] == [1], got
    assert len(got[0]["sources"]) == 3
    delivered = next(r.at for r in runtime.webhook.snapshot()
                     if r.body["data"]["rule"] == "folded")
    assert delivered - sent_at >= GROUP_WAIT_S - 1  # held for the rule's group_wait
