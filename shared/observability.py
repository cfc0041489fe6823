"""Structured JSON logs (structlog) and the Prometheus metrics every stage shares."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


# "https://user:secret@host/feed": credentials a URL carries (a feed configured with them,
# a redirect, an exception's message); bounded so a hostile string costs linear time
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{0,20}://)[^/\s@]{1,256}@")


def redact_userinfo(_logger: Any, _method: str, event: MutableMapping[str, Any]
                    ) -> MutableMapping[str, Any]:
    """Drop userinfo from every URL in a log line, whichever module logged it."""
    for key, value in event.items():
        if isinstance(value, str) and "@" in value:
            event[key] = _USERINFO.sub(r"\1", value)
        elif isinstance(value, (list, tuple)):
            event[key] = [_USERINFO.sub(r"\1", v) if isinstance(v, str) else v for v in value]
    return event


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """JSON lines on stderr for our logs and for the libraries' (faust, aiokafka, httpx) alike.

    stdout stays free for CLI output such as printed alerts.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_userinfo,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line per HTTP request is the sinks' and fetcher's job (with context), not the client's.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


MESSAGES_IN = Counter("frontwire_messages_in_total", "Records taken in by a stage", ["stage"])
MESSAGES_OUT = Counter("frontwire_messages_out_total", "Records emitted by a stage", ["stage"])
DROPPED = Counter(
    "frontwire_dropped_total",
    "Records a stage decided not to pass on, by reason",
    ["stage", "reason"],
)
DEAD_LETTERS = Counter(
    "frontwire_dead_letters_total", "Records sent to the dead-letter topic", ["stage"]
)
OFFSET_GAPS = Counter(
    "frontwire_offset_gap_records_total",
    "Source records the Kafka consumer skipped and the stage read again itself "
    "(inline: found before the next record; refetch: found on an idle partition)",
    ["topic", "how"],
)
STAGE_SECONDS = Histogram(
    "frontwire_stage_processing_seconds",
    "Time spent in a stage's handler per record",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
E2E_SECONDS = Histogram(
    "frontwire_end_to_end_latency_seconds",
    "Article fetched -> alert delivered, from the records' own stamps",
    ["sink"],
    buckets=_LATENCY_BUCKETS,
)
ALERTS = Counter(
    "frontwire_alerts_total",
    "Alert decisions (new, updated, suppressed) by rule and severity",
    ["rule", "severity", "decision"],
)
DELIVERIES = Counter(
    "frontwire_deliveries_total", "Alert deliveries by sink and outcome", ["sink", "outcome"]
)
DELIVERY_SECONDS = Histogram(
    "frontwire_delivery_seconds",
    "Time to deliver one alert to one sink",
    ["sink"],
    buckets=_LATENCY_BUCKETS,
)
FETCHES = Counter(
    "frontwire_fetches_total", "HTTP fetches by kind (feed, page) and outcome", ["kind", "outcome"]
)
# One histogram of HTTP fetches (the fetcher's own module once kept a second copy).
FETCH_SECONDS = Histogram(
    "frontwire_fetch_seconds", "One HTTP fetch, redirects included, by kind (feed, page, "
    "robots, ...)", ["kind"], buckets=_LATENCY_BUCKETS,
)
STATE_PRUNED = Counter(
    "frontwire_state_pruned_total",
    "Rows forgotten by retention, per store (fetcher_seen, alert_groups, ...)", ["store"],
)
UP = Gauge("frontwire_up", "1 while the stage's worker is running", ["stage"])
