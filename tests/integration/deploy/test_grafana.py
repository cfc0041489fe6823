"""deploy/grafana: the dashboard parses, queries only real metrics, and the provisioning files
point where docker-compose.yml mounts things."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.integration.deploy._support import (
    COMPOSE_FILE,
    DASHBOARD,
    GRAFANA,
    KNOWN_METRICS,
    REPO_ROOT,
    load_yaml,
    metric_names,
)

PROVISIONING = GRAFANA / "provisioning"


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return [p for p in out if p["type"] != "row"]


def _grafana_mounts() -> dict[str, str]:
    grafana = load_yaml(COMPOSE_FILE)["services"]["grafana"]
    return {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}


def test_dashboard_is_well_formed(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "frontwire"
    assert dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in _panels(dashboard):
        assert panel["title"] and panel["description"]
        assert panel["targets"], panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24


def test_every_query_uses_only_metrics_that_exist(dashboard: dict[str, Any]) -> None:
    seen: set[str] = set()
    for panel in _panels(dashboard):
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']!r}"
            assert names <= KNOWN_METRICS, f"{panel['title']}: unknown {names - KNOWN_METRICS}"
            seen |= names
    # The dashboard covers every frontwire metric but none it cannot know.
    assert {
        "frontwire_messages_in_total",
        "frontwire_messages_out_total",
        "frontwire_dead_letters_total",
        "frontwire_alerts_total",
        "frontwire_deliveries_total",
        "frontwire_end_to_end_latency_seconds",
        "frontwire_stage_processing_seconds",
        "frontwire_fetches_total",
        "up",
    } <= seen


def test_latency_panel_shows_p50_p95_p99(dashboard: dict[str, Any]) -> None:
    (panel,) = [p for p in _panels(dashboard) if p["title"].startswith("End-to-end latency")]
    exprs = " ".join(t["expr"] for t in panel["targets"])
    for q in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({q}," in exprs


def test_panels_use_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    (source,) = load_yaml(PROVISIONING / "datasources" / "prometheus.yml")["datasources"]
    for panel in _panels(dashboard):
        assert panel["datasource"]["uid"] == source["uid"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == source["uid"]


def test_datasource_points_at_the_prometheus_service() -> None:
    (source,) = load_yaml(PROVISIONING / "datasources" / "prometheus.yml")["datasources"]
    url = urlparse(source["url"])
    services = load_yaml(COMPOSE_FILE)["services"]
    assert url.hostname in services
    assert services[url.hostname]["image"].startswith("prom/prometheus:")
    assert url.port == 9090


def test_dashboard_provider_path_is_where_compose_mounts_the_dashboards() -> None:
    (provider,) = load_yaml(PROVISIONING / "dashboards" / "frontwire.yml")["providers"]
    mounts = _grafana_mounts()
    source = mounts[provider["options"]["path"]]
    assert (REPO_ROOT / source).resolve() == DASHBOARD.parent.resolve()
    assert (REPO_ROOT / mounts["/etc/grafana/provisioning"]).resolve() == PROVISIONING.resolve()
