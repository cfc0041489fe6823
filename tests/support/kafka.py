"""Reading a topic back in tests: the keys of its records, counted."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from aiokafka import AIOKafkaConsumer


async def read_keys(
    bootstrap: str, topic: str, want: set[str], *, timeout: float = 120, settle_s: float = 0
) -> Counter[str]:
    """Keys read from the start of ``topic`` until ``want`` is among them (or ``timeout``),
    then ``settle_s`` more seconds so a late duplicate is counted too."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    got: Counter[str] = Counter()

    async def poll() -> None:
        for messages in (await consumer.getmany(timeout_ms=500)).values():
            got.update(m.key.decode() for m in messages if m.key is not None)

    try:
        async with asyncio.timeout(timeout):
            while not want <= set(got):
                await poll()
        end = time.monotonic() + settle_s
        while time.monotonic() < end:
            await poll()
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return got
