"""Fetcher metrics. Ratios (304 share, duplicate share) are left to Prometheus: every series
here is a counter, a gauge or a histogram, e.g.
``rate(frontwire_fetcher_responses_total{status="304"}[5m]) / rate(..._responses_total[5m])``.
HTTP fetch counts and durations are the shared ``frontwire_fetches_total`` and
``frontwire_fetch_seconds`` (shared/observability.py): one series each, not a copy here."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

POLLS = Counter(
    "frontwire_fetcher_polls_total",
    "Source polls by outcome (ok, not_modified, robots, malformed, or the fetch error kind)",
    ["outcome"],
)
ITEMS = Counter(
    "frontwire_fetcher_items_total",
    "Feed items by outcome (new, seen, fetched, failed, robots, skipped)",
    ["outcome"],
)
ARTICLES = Counter(
    "frontwire_fetcher_articles_total", "Articles emitted by the fetcher, per source", ["source"]
)
RESPONSES = Counter(
    "frontwire_fetcher_responses_total", "HTTP responses by kind and status code",
    ["kind", "status"],
)
CONDITIONAL = Counter(
    "frontwire_fetcher_conditional_total",
    "Conditional GETs by result (not_modified, modified): the 304 ratio's two halves",
    ["result"],
)
BYTES = Counter(
    "frontwire_fetcher_received_bytes_total", "Decoded body bytes received, by kind", ["kind"]
)
ERRORS = Counter("frontwire_fetcher_errors_total", "Fetch errors by kind (FetchError.kind)",
                 ["kind"])
SOURCES_DUE = Gauge("frontwire_fetcher_sources_due", "Sources due for a poll now")
SOURCES_OVERDUE = Gauge(
    "frontwire_fetcher_sources_overdue", "Sources due for longer than their own interval"
)
SCHEDULER_LAG = Histogram(
    "frontwire_fetcher_scheduler_lag_seconds", "How late a poll started after it was due",
    buckets=(0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
INTERVAL = Gauge("frontwire_fetcher_interval_seconds", "Current adaptive interval per source",
                 ["source"])
DEDUP = Counter(
    "frontwire_fetcher_dedup_total",
    "Articles at the cross-instance dedup hop by outcome (first, duplicate)", ["outcome"],
)
PUSHES = Counter("frontwire_fetcher_pushes_total", "POST /articles by outcome", ["outcome"])
WEBSUB = Counter(
    "frontwire_fetcher_websub_total",
    "WebSub events (subscribed, subscribe_failed, verified, denied, delivered, bad_signature)",
    ["event"],
)
