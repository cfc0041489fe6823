"""Embedded mode applies every store's retention: a persistent pipeline over real SQLite files
forgets old groups, deliveries and ended silences, keeps recent ones, and says how many."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from services.alerting.grouping import GroupState
from services.alerting.silences import Matchers, Silence
from services.embedded import embedded_pipeline
from shared.settings import load_settings

DAY = 86400.0


def test_a_persistent_pipeline_prunes_its_stores(tmp_path: Path) -> None:
    settings = load_settings(state_dir=tmp_path / "state", console_sink=False,
                             retention_groups_s=10 * DAY, retention_deliveries_s=10 * DAY,
                             retention_silences_s=DAY)
    pipeline = embedded_pipeline(settings)
    now = time.time() + 100 * DAY  # the delivery below is stamped with the real clock
    stores, live = pipeline.built.stores, pipeline.built.live
    groups = stores.groups
    assert live is not None
    groups.put("old", GroupState("old", "r", "s", now - 20 * DAY, now - 20 * DAY))
    groups.put("new", GroupState("new", "r", "s", now - DAY, now - DAY))
    stores.deliveries.record("a:1", "console")  # 100 days before `now`
    stores.fetch_state.add("article:old")  # so is this article id
    live.silences.add(Silence("ended", Matchers(rule="r"), 0.0, now - 2 * DAY, "ops"))
    live.silences.add(Silence("live", Matchers(rule="r"), 0.0, now + DAY, "ops"))

    gone = pipeline.prune_state(now)

    assert gone == {"alert_groups": 1, "alert_deliveries": 1, "fetcher_seen": 1, "silences": 1}
    assert groups.get("old") is None and groups.get("new") is not None
    assert [s.id for s in live.silences.list(0.0)] == ["live"]
    assert pipeline.prune_state(now) == {"alert_groups": 0, "alert_deliveries": 0,
                                         "fetcher_seen": 0, "silences": 0}
    asyncio.run(pipeline.aclose())
