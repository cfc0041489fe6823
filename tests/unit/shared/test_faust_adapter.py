"""Upgrade guard for shared/kafka/faust_adapter.py: every private or undocumented faust, mode
and aiokafka attribute the adapter uses must still exist, with the shape it relies on, on the
installed versions. A failure here means: a library upgrade changed what frontwire works
around; read the adapter function's docstring before changing it."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Iterator
from typing import Any

import faust
import faust.transport.consumer
import faust.transport.drivers.aiokafka as aiokafka_driver
import faust.transport.producer
import pytest
from faust.types import TP
from mode.utils.queues import FlowControlEvent

from shared.kafka import faust_adapter

UPGRADE = "faust/mode changed under shared/kafka/faust_adapter.py ({}): re-check the workaround"


@pytest.fixture
def app() -> Iterator[faust.App]:
    yield faust.App("frontwire-adapter-probe", broker="kafka://127.0.0.1:1", autodiscover=False)


def test_consumer_commit_offsets_still_takes_offsets() -> None:
    for cls in (faust.transport.consumer.Consumer, aiokafka_driver.Consumer):
        method = getattr(cls, "_commit_offsets", None)
        assert method is not None, UPGRADE.format(f"{cls.__qualname__}._commit_offsets is gone")
        assert inspect.iscoroutinefunction(method), UPGRADE.format("_commit_offsets not async")
        params = list(inspect.signature(method).parameters)
        assert params[:2] == ["self", "offsets"], UPGRADE.format(f"_commit_offsets{params}")


def test_commit_offsets_passes_the_offsets_through() -> None:
    class Consumer:
        async def _commit_offsets(self, offsets: Any) -> bool:
            self.seen = offsets
            return True

    consumer, offsets = Consumer(), {TP("t", 0): 5}
    assert asyncio.run(faust_adapter.commit_offsets(consumer, offsets)) is True
    assert consumer.seen == offsets


def test_producer_buffer_size_and_flush(app: faust.App) -> None:
    producer = app.producer
    buffer = getattr(producer, "buffer", None)
    assert isinstance(buffer, faust.transport.producer.ProducerBuffer), UPGRADE.format(
        f"Producer.buffer is {type(buffer).__name__}")
    assert isinstance(type(buffer).size, property), UPGRADE.format("ProducerBuffer.size")
    assert inspect.iscoroutinefunction(type(buffer).flush), UPGRADE.format("ProducerBuffer.flush")
    assert faust_adapter.producer_buffered(producer) == 0


def test_flow_control(app: faust.App) -> None:
    flow = getattr(app, "flow_control", None)
    assert isinstance(flow, FlowControlEvent), UPGRADE.format("App.flow_control")
    assert callable(getattr(flow, "is_active", None)), UPGRADE.format("is_active")
    assert faust_adapter.flow_active(app) is flow.is_active()


def test_table_recovery(app: faust.App) -> None:
    recovery = getattr(app.tables, "recovery", None)
    assert recovery is not None, UPGRADE.format("TableManager.recovery is gone")
    assert isinstance(recovery.completed, asyncio.Event), UPGRADE.format("Recovery.completed")
    assert faust_adapter.tables_recovered(app) is False  # not started: not recovered


def test_worker_spinner(app: faust.App) -> None:
    assert "spinner" in faust.Worker.__annotations__, UPGRADE.format("Worker.spinner")
    worker = faust.Worker(app, override_logging=False, quiet=True)
    assert hasattr(worker, "spinner"), UPGRADE.format("Worker.spinner")
    assert faust_adapter.quiet_worker(worker).spinner is None
    assert callable(getattr(worker, "execute_from_commandline", None))


def test_faust_still_reads_options_from_sys_argv() -> None:
    """If faust stops reading sys.argv, faust_argv can go (and this test with it)."""
    source = inspect.getsource(faust)
    assert "sys.argv" in source, UPGRADE.format("faust no longer reads sys.argv at import")


def test_faust_argv_is_restored() -> None:
    before = list(sys.argv)
    with faust_adapter.faust_argv():
        assert sys.argv[1:] == ["worker"]
    assert sys.argv == before
