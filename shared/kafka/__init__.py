"""The Kafka transport: a faust app factory, the topic map and dead-letter handling.

Nothing in the pure cores imports this package; each service's ``agent.py`` is a thin
adapter that decodes a record, calls the core, and sends what comes out.
"""

from shared.kafka.app import make_app, run_worker
from shared.kafka.stage import StageLoop
from shared.kafka.topics import TOPICS, TopicMap, ensure_topics

__all__ = ["TOPICS", "StageLoop", "TopicMap", "ensure_topics", "make_app", "run_worker"]
