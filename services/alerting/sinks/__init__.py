"""Sinks deliver alerts; the Dispatcher routes each alert version to them exactly once."""

from services.alerting.sinks.base import (
    DeliveryError,
    PermanentDeliveryError,
    Sink,
    TransientDeliveryError,
)
from services.alerting.sinks.dispatcher import DeadLetterCallback, Dispatcher, Outcome
from services.alerting.sinks.factory import SinkConfigError, build_sinks
from services.alerting.sinks.http import RetryPolicy
from services.alerting.sinks.jsonl import JsonlFileSink
from services.alerting.sinks.outbox import Backoff, SinkOutbox
from services.alerting.sinks.ratelimit import TokenBucket
from services.alerting.sinks.signing import sign, verify_signature
from services.alerting.sinks.slack import SlackSink, slack_message
from services.alerting.sinks.slack_api import SlackApiSink
from services.alerting.sinks.slack_store import (
    MemorySlackStore,
    MessageRef,
    SlackMessageStore,
    SqliteSlackStore,
)
from services.alerting.sinks.stdout import StdoutSink
from services.alerting.sinks.webhook import WebhookSink, cloud_event

__all__ = [
    "Backoff",
    "DeadLetterCallback",
    "DeliveryError",
    "Dispatcher",
    "JsonlFileSink",
    "MemorySlackStore",
    "MessageRef",
    "Outcome",
    "PermanentDeliveryError",
    "RetryPolicy",
    "Sink",
    "SinkConfigError",
    "SinkOutbox",
    "SlackApiSink",
    "SlackMessageStore",
    "SlackSink",
    "SqliteSlackStore",
    "StdoutSink",
    "TokenBucket",
    "TransientDeliveryError",
    "WebhookSink",
    "build_sinks",
    "cloud_event",
    "sign",
    "slack_message",
    "verify_signature",
]
