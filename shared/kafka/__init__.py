"""The Kafka transport: a faust app factory, the topic map and dead-letter handling.

Nothing in the pure cores imports this package; services/runtimes/kafka.py runs the declared
stages (services/flow.py) on it: decode a record, call the stage's handler, send what comes out.
"""

from shared.kafka.app import make_app, run_worker
from shared.kafka.stage import StageLoop
from shared.kafka.topics import TOPICS, TopicMap, ensure_topics

__all__ = ["TOPICS", "StageLoop", "TopicMap", "ensure_topics", "make_app", "run_worker"]
