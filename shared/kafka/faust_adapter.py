"""Every use of faust (faust-streaming), mode and aiokafka beyond their public, typed API.

frontwire keeps faust-streaming as its framework, but works around what faust does wrong or
lacks. Each workaround is one function here, and nothing else in services/ or shared/ touches
these attributes (tests/unit/test_private_apis.py checks that);
tests/unit/shared/test_faust_adapter.py checks that every attribute and signature used here
still exists on the installed versions, so a library upgrade fails loudly there instead of at
a commit in production. Each docstring says what to propose upstream.

Pinned versions: see pyproject.toml (faust-streaming, mode-streaming, aiokafka).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any, cast

import faust
from faust.transport.consumer import Consumer
from faust.types import TP


async def commit_offsets(consumer: Any, offsets: Mapping[TP, int]) -> bool:
    """Commit exactly ``offsets`` through faust's own commit path; True if committed.

    faust commits the offsets of records it has *acknowledged*, and acknowledges records no
    handler has seen yet (shared/kafka/ledger.py), so frontwire keeps its own offsets with
    acks off. The only public commit, ``Consumer.commit(topics)``, commits faust's acked
    offsets; the path that takes offsets (assignment filter, producer flush, commit,
    bookkeeping) is the private ``Consumer._commit_offsets(offsets)``.

    Upstream: make ``Consumer.commit`` accept ``offsets: Mapping[TP, int]`` (the aiokafka
    ``AIOKafkaConsumer.commit(offsets)`` shape), or fix acks to follow the handler.
    """
    return bool(await cast(Consumer, consumer)._commit_offsets(offsets))


def producer_buffered(producer: Any) -> int:
    """How many messages faust's producer still holds in its own buffer (not yet handed to
    aiokafka).

    ``Producer.buffer`` (a ``ProducerBuffer``) is an attribute of the concrete producer,
    declared on ``ProducerT`` but with no documented contract; faust's own ``flush()`` drains
    it only while it makes progress within 0.1 s.

    Upstream: a documented ``Producer.pending`` count and a ``flush(timeout=None)`` that waits
    until the buffer is empty.
    """
    return int(producer.buffer.size)


async def flush_producer_buffer(producer: Any) -> None:
    """One round of draining faust's producer buffer (returns after 0.1 s without progress;
    loop on `producer_buffered`)."""
    await producer.buffer.flush()


def flow_active(app: faust.App) -> bool:
    """Are the streams flowing (False while a rebalance has suspended them)?

    ``App.flow_control`` is a ``mode.utils.queues.FlowControlEvent`` faust uses internally to
    suspend stream queues during a rebalance; it is not in ``AppT`` nor documented.

    Upstream: a documented ``App.flowing`` (or a signal when streams suspend/resume).
    """
    return bool(app.flow_control.is_active())


def tables_recovered(app: faust.App) -> bool:
    """Has table recovery completed (True when the app has no recovery service)?

    ``TableManager.recovery`` exists on the concrete table manager only, not on
    ``TableManagerT``, and its ``completed`` event is undocumented.

    Upstream: ``TableManagerT.recovery`` (or ``App.tables.recovered: bool``) in the types.
    """
    recovery = getattr(app.tables, "recovery", None)
    return recovery.completed.is_set() if recovery is not None else True


def quiet_worker(worker: faust.Worker) -> faust.Worker:
    """No terminal spinner: it only garbles log files.

    ``faust.Worker.__init__`` always creates a ``terminal.Spinner`` (``quiet=True`` does not
    turn it off) and writes it to stdout during start-up.

    Upstream: a ``spinner: bool`` argument to ``Worker``, off when stdout is not a TTY.
    """
    worker.spinner = None
    return worker


@contextlib.contextmanager
def faust_argv() -> Iterator[None]:
    """``sys.argv`` as faust expects it from ``faust worker`` while the block runs; restored
    afterwards.

    faust reads options from the *process's* command line, not from arguments it is given:
    ``faust/__init__.py`` takes ``--datadir`` and ``-L/--loop`` from ``sys.argv`` when imported
    and its CLI parses ``sys.argv`` again; frontwire's own arguments (``frontwire worker
    fetcher``) must not be read as faust's.

    Upstream: no ``sys.argv`` reads at import time; options only from arguments passed in.
    """
    saved = sys.argv
    sys.argv = [saved[0] if saved else "frontwire", "worker"]
    try:
        yield
    finally:
        sys.argv = saved


def run_faust_worker(app: faust.App) -> None:
    """Run ``app`` as a faust worker until it stops: frontwire's logging kept (structlog,
    configured by the caller), no spinner, and faust shielded from frontwire's command line."""
    with faust_argv():
        worker = quiet_worker(faust.Worker(app, override_logging=False, quiet=True))
        worker.execute_from_commandline()
