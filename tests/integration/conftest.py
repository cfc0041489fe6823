"""Integration fixtures: a real Apache Kafka broker for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cluster import Broker


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a running broker: $KAFKA_BOOTSTRAP_SERVERS, or the project's own
    (deploy/kafka/kafka.sh up), stopped at the end if this session started it."""
    broker = Broker().start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()
