"""Structured logs (structlog: JSON lines, or human lines on a terminal) and the Prometheus
metrics every stage shares."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from prometheus_client import Counter, Gauge, Histogram

from shared.terminal import terminal_safe

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


def terminal_safe_values(_logger: Any, _method: str, event: MutableMapping[str, Any]
                         ) -> MutableMapping[str, Any]:
    """For log lines people read on a terminal: a logged title or URL from a feed must not
    carry escape sequences to it. Tracebacks keep their line breaks; other values (lists,
    numbers) are printed by their repr, which escapes control characters already."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = terminal_safe(value, keep_newlines=key in ("exception", "stack"))
    return event


def _pre_chain() -> list[Any]:
    """What every line carries, whether structlog or a library's stdlib logger wrote it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def log_formatter(*, json: bool, colors: bool = False) -> logging.Formatter:
    """JSON lines (``json``), or structlog's human lines (coloured with ``colors``)."""
    tail: list[Any] = (
        [structlog.processors.JSONRenderer()] if json
        else [terminal_safe_values, structlog.dev.ConsoleRenderer(colors=colors)]
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Plain text before any renderer: a rich traceback would print local variables,
            # and locals may hold secrets.
            structlog.processors.format_exc_info,
            redact_userinfo,
            *tail,
        ],
    )


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    """Log lines on stderr for our logs and for the libraries' (faust, aiokafka, httpx) alike:
    JSON (``json``; None: JSON unless stderr is a terminal), or human lines for a terminal.

    stdout stays free for CLI output such as printed alerts.
    """
    stream = sys.stderr
    terminal = _is_terminal(stream)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter(json=not terminal if json is None else json,
                                       colors=terminal))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line per HTTP request is the sinks' and fetcher's job (with context), not the client's.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[
            *_pre_chain(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


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
