"""Alerting: rules match enriched events, grouping turns matches into versioned alerts, and
sinks deliver them exactly once per (alert version, sink).

Pure core (no I/O): `rules`, `grouping`, `summary`, `delivery` (the log protocol and stores).
I/O edge: `sinks` (stdout, JSONL file, signed webhooks, Slack) and its `Dispatcher`.
See services/alerting/README.md.
"""
