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
from services.alerting.sinks.signing import sign, verify_signature
from services.alerting.sinks.slack import SlackSink
from services.alerting.sinks.stdout import StdoutSink
from services.alerting.sinks.webhook import WebhookSink, cloud_event

__all__ = [
    "DeadLetterCallback",
    "DeliveryError",
    "Dispatcher",
    "JsonlFileSink",
    "Outcome",
    "PermanentDeliveryError",
    "RetryPolicy",
    "Sink",
    "SinkConfigError",
    "SlackSink",
    "StdoutSink",
    "TransientDeliveryError",
    "WebhookSink",
    "build_sinks",
    "cloud_event",
    "sign",
    "verify_signature",
]
