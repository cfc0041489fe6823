"""A one-stage faust worker whose consumer loses chosen records before the stage loop sees them.

This is what faust does in the cases shared/kafka/ledger.py describes (records cleared from a
stream buffer in a rebalance, or never re-delivered after table recovery moves the read
offset), made deterministic: the consumer's callback swallows each offset listed in
$GAP_DROP once, as if the record had been fetched and thrown away. The stage appends the
value of every record its handler receives to $GAP_OUT, one per line. For each value listed in
$GAP_FAIL_SEND, the first attempt's output is refused by Kafka (its send raises).

With $GAP_BATCH=n the stage is attached with a batch handler (`StageLoop.attach_batched`, at
most n records a call), and a batch that holds a value listed in $GAP_POISON fails as a whole
(before writing anything); that value's single handling raises too, so it is dead-lettered.

Run as `python -m tests.support.gap_worker` with the usual FRONTWIRE_* / KAFKA_* environment.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaError

from shared.kafka import StageLoop, TopicMap, make_app, run_worker
from shared.kafka.stage import Emit
from shared.settings import load_settings

SERVICE = "gapcheck"


class RefusingTopic:
    async def send(self, **_: Any) -> None:
        raise KafkaError("send refused (gap_worker)")


def main() -> None:
    settings = load_settings()
    topics = TopicMap.from_settings(settings)
    app = make_app(SERVICE, settings)
    out = Path(os.environ["GAP_OUT"])
    drop = {int(x) for x in os.environ.get("GAP_DROP", "").split(",") if x}
    refuse = {x.encode() for x in os.environ.get("GAP_FAIL_SEND", "").split(",") if x}

    poison = {x.encode() for x in os.environ.get("GAP_POISON", "").split(",") if x}
    batch = int(os.environ.get("GAP_BATCH", "1"))

    async def handle(key: bytes | None, value: bytes) -> list[Emit]:
        if value in poison:
            raise ValueError(f"poison {value!r}")
        with out.open("ab") as f:
            f.write(value + b"\n")
        if value in refuse:
            refuse.discard(value)
            return [Emit(RefusingTopic(), b"", value)]
        return []

    async def handle_many(messages: Sequence[Any]) -> list[list[Emit]]:
        if poison & {m.value for m in messages}:
            raise ValueError("a poison record in the batch")
        return [await handle(m.key, m.value) for m in messages]

    loop = StageLoop(app, "gapcheck", app.topic(topics.raw), app.topic(topics.deadletter))
    if batch > 1:
        loop.attach_batched(handle, handle_many, most=batch, within_s=0.005, name="gapcheck")
    else:
        loop.attach(handle)
    consumer: Any = app.consumer
    deliver = consumer.callback

    async def losing(message: Any) -> None:
        if message.offset in drop:
            drop.discard(message.offset)
            return None
        return await deliver(message)

    consumer.callback = losing
    run_worker(app, SERVICE, settings)


if __name__ == "__main__":
    main()
