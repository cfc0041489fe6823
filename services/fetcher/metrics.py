"""Fetcher-specific metrics (the shared FETCHES / FETCH_SECONDS cover single HTTP requests)."""

from __future__ import annotations

from prometheus_client import Counter

POLLS = Counter(
    "frontwire_fetcher_polls_total",
    "Feed polls by outcome (ok, not_modified, robots, malformed, or the fetch error kind)",
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
