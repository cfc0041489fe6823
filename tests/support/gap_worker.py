"""A one-stage faust worker whose consumer loses chosen records before the stage loop sees them.

This is what faust does in the cases shared/kafka/ledger.py describes (records cleared from a
stream buffer in a rebalance, or never re-delivered after table recovery moves the read
offset), made deterministic: the consumer's callback swallows each offset listed in
$GAP_DROP once, as if the record had been fetched and thrown away. The stage appends the
value of every record its handler receives to $GAP_OUT, one per line. For each value listed in
$GAP_FAIL_SEND, the first attempt's output is refused by Kafka (its send raises).

Run as `python -m tests.support.gap_worker` with the usual FRONTWIRE_* / KAFKA_* environment.
"""

from __future__ import annotations

import os
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

    async def handle(key: bytes | None, value: bytes) -> list[Emit]:
        with out.open("ab") as f:
            f.write(value + b"\n")
        if value in refuse:
            refuse.discard(value)
            return [Emit(RefusingTopic(), b"", value)]
        return []

    StageLoop(app, "gapcheck", app.topic(topics.raw), app.topic(topics.deadletter)).attach(handle)
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
