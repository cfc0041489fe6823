"""Shared helpers for the deployment-file tests."""

from __future__ import annotations

import random
import re
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.paths import REPO_ROOT, TEST_DATA

DEPLOY = REPO_ROOT / "deploy"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
ALERT_RULES = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
GRAFANA = DEPLOY / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "frontwire.json"
COMPOSE_SCHEMA = TEST_DATA / "deploy" / "compose-spec.json"

STAGES = ("fetcher", "cleaner", "enricher", "alerting")
WEB_PORT = 6066

# Every metric frontwire exports (shared/observability.py), Prometheus' own `up`, and the
# kafka-exporter's consumer-group lag. Histograms are listed by their base name.
FRONTWIRE_METRICS = frozenset(
    {
        "frontwire_messages_in_total",
        "frontwire_messages_out_total",
        "frontwire_dropped_total",
        "frontwire_dead_letters_total",
        "frontwire_offset_gap_records_total",
        "frontwire_stage_processing_seconds",
        "frontwire_end_to_end_latency_seconds",
        "frontwire_alerts_total",
        "frontwire_deliveries_total",
        "frontwire_delivery_seconds",
        "frontwire_fetches_total",
        "frontwire_fetch_seconds",
        "frontwire_up",
        "frontwire_event_loop_lag_seconds",
        "frontwire_gc_pause_seconds",
    }
)
KNOWN_METRICS = FRONTWIRE_METRICS | {"up", "kafka_consumergroup_lag"}
HISTOGRAMS = frozenset(
    {
        "frontwire_stage_processing_seconds",
        "frontwire_end_to_end_latency_seconds",
        "frontwire_delivery_seconds",
        "frontwire_fetch_seconds",
        "frontwire_event_loop_lag_seconds",
        "frontwire_gc_pause_seconds",
    }
)

_PROMQL_WORDS = frozenset(
    {
        # aggregations and their modifiers
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "count_values",
        "group",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "offset",
        "and",
        "or",
        "unless",
        "atan2",
        # functions
        "rate",
        "irate",
        "increase",
        "delta",
        "idelta",
        "deriv",
        "predict_linear",
        "resets",
        "changes",
        "histogram_quantile",
        "absent",
        "absent_over_time",
        "clamp_min",
        "clamp_max",
        "abs",
        "ceil",
        "floor",
        "round",
        "scalar",
        "vector",
        "time",
        "timestamp",
        "label_replace",
        "label_join",
        "sort",
        "sort_desc",
        "avg_over_time",
        "max_over_time",
        "min_over_time",
        "sum_over_time",
        "count_over_time",
        "last_over_time",
        "quantile_over_time",
        "inf",
        "nan",
    }
)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (histogram series by their base name)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range / subquery windows
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables such as $__rate_interval
    names = set()
    for token in re.findall(r"(?<![\w.])[A-Za-z_:][\w:]*", text):
        if token.lower() in _PROMQL_WORDS:
            continue
        for suffix in ("_bucket", "_sum", "_count"):
            if token.endswith(suffix) and token[: -len(suffix)] in HISTOGRAMS:
                token = token[: -len(suffix)]
        names.add(token)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int) -> int:
    """A base port whose next `count` ports are free, chosen below the kernel's ephemeral range.

    Ports from `free_port()` lie inside that range, where any outgoing connection on the
    machine (a Kafka client, a test's HTTP call) may take one between our check and the
    worker's bind: that made `services.sh up` fail once in CI. Below the range only a
    listener can take them."""
    low, _ = _ephemeral_range()
    rng = random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(10000, max(10001, low - count - 1))
        if all(_bindable(base + i) for i in range(1, count + 1)):
            return base
    raise RuntimeError(f"no block of {count} free ports below {low}")


def venv_tool(name: str) -> str | None:
    """A console script from this interpreter's environment, else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)
