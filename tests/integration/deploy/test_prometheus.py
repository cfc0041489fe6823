"""deploy/prometheus: promtool accepts the config and rules, the rule unit tests pass, and the
scrape jobs match the compose services."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from tests.integration.deploy._support import (
    ALERT_RULES,
    ALERT_TESTS,
    COMPOSE_FILE,
    KNOWN_METRICS,
    PROMETHEUS_CONFIG,
    STAGES,
    WEB_PORT,
    load_yaml,
    metric_names,
)


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is absent: install Debian's 'prometheus' package (.ci/run does)")
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, cwd=PROMETHEUS_CONFIG.parent
    )


def test_promtool_check_config() -> None:
    result = _promtool("check", "config", PROMETHEUS_CONFIG.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rules() -> None:
    result = _promtool("check", "rules", ALERT_RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests() -> None:
    result = _promtool("test", "rules", ALERT_TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_yaml(PROMETHEUS_CONFIG)


@pytest.mark.parametrize("stage", STAGES)
def test_every_replica_of_every_stage_is_scraped(config: dict[str, Any], stage: str) -> None:
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    job = jobs[f"frontwire-{stage}"]
    # DNS service discovery: one A record per replica, so scaled services are all scraped.
    (sd,) = job["dns_sd_configs"]
    assert sd["names"] == [stage]
    assert sd["type"] == "A"
    assert sd["port"] == WEB_PORT
    assert stage in load_yaml(COMPOSE_FILE)["services"]


def test_rule_files_are_mounted_next_to_the_config(config: dict[str, Any]) -> None:
    assert config["rule_files"] == [ALERT_RULES.name]
    prometheus = load_yaml(COMPOSE_FILE)["services"]["prometheus"]
    targets = {v.split(":")[1] for v in prometheus["volumes"]}
    assert f"/etc/prometheus/{ALERT_RULES.name}" in targets


def test_alert_rules_use_only_metrics_that_exist() -> None:
    rules = [r for g in load_yaml(ALERT_RULES)["groups"] for r in g["rules"]]
    assert len(rules) >= 5
    for rule in rules:
        unknown = metric_names(rule["expr"]) - KNOWN_METRICS
        assert not unknown, f"{rule['alert']}: unknown metrics {unknown}"
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"]


def test_every_alert_rule_has_a_unit_test() -> None:
    alerts = {r["alert"] for g in load_yaml(ALERT_RULES)["groups"] for r in g["rules"]}
    tested = {
        case["alertname"]
        for test in load_yaml(ALERT_TESTS)["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alerts <= tested, f"no firing test for {alerts - tested}"
