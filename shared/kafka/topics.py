"""Topic names, keys and partition counts (documented in docs/topics.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.observability import get_logger
from shared.settings import Settings

log = get_logger(__name__)

# logical name -> what the key is (kept here so the docs and the code agree)
TOPICS: dict[str, str] = {
    "fetch.dedup": "article id (the fetcher's own hop: first sighting of an id goes on)",
    "articles.raw": "article id (sha1 of the canonical URL)",
    "articles.clean": "article id",
    "articles.enriched": "story id",
    "alerts.candidates": "alert group key (rule + event signature)",
    "alerts.routed": "alert group key (alerts grouping decided to send, and delivery reports)",
    "alerts": "alert group key",
    "deadletter": "the failed message's own key",
    "silences": "silence id (compacted: the latest state of each silence)",
    "fetch.state": "v:<feed url> | s:<seen key> (compacted: the fetchers' shared fetch state)",
}

# Topics whose per-topic settings differ from the defaults (logical names).
_COMPACTED = {"silences", "fetch.state"}


def retention_configs(seconds: float) -> dict[str, str]:
    """Topic settings of keyed state that expires: the latest record of each key is kept
    (compact), and a key not re-written for ``seconds`` goes (delete), so the topic, and the
    time to restore a table from it, stop growing. Keys still in use are re-written well
    within that (the fetch state re-publishes them, tables rewrite a key on every update)."""
    return {"cleanup.policy": "compact,delete", "retention.ms": str(int(seconds * 1000))}


def _topic_configs(settings: Settings, logical: str) -> dict[str, str]:
    # fetch.state also expires (FRONTWIRE_RETENTION_SEEN_S); silences are kept compacted:
    # ended ones are deleted with a tombstone by the alerting workers (silences.py).
    if logical == "fetch.state":
        return retention_configs(settings.retention_seen_s)
    return {"cleanup.policy": "compact"}


@dataclass(frozen=True)
class TopicMap:
    dedup: str
    raw: str
    clean: str
    enriched: str
    candidates: str
    routed: str
    alerts: str
    deadletter: str
    silences: str
    state: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicMap:
        t = settings.topic
        return cls(
            dedup=t("fetch.dedup"),
            raw=t("articles.raw"),
            clean=t("articles.clean"),
            enriched=t("articles.enriched"),
            candidates=t("alerts.candidates"),
            routed=t("alerts.routed"),
            alerts=t("alerts"),
            deadletter=t("deadletter"),
            silences=t("silences"),
            state=t("fetch.state"),
        )

    def all(self) -> list[str]:
        return [
            self.dedup,
            self.raw,
            self.clean,
            self.enriched,
            self.candidates,
            self.routed,
            self.alerts,
            self.deadletter,
            self.silences,
            self.state,
        ]


async def ensure_topics(
    settings: Settings, changelogs: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    """Create the pipeline's topics with the configured partition count if they are missing,
    and the named table changelogs (one partition per source partition, with the settings
    given: compacted, and expiring where the table has a retention).

    Relying on broker auto-creation would give whatever ``num.partitions`` the broker has,
    and the partition count is what lets a stage scale out.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            _new_topic(settings, name)
            for name in TopicMap.from_settings(settings).all()
            if name not in existing
        ]
        wanted += [
            NewTopic(name, settings.partitions, 1,
                     topic_configs={"cleanup.policy": "compact", **configs})
            for name, configs in (changelogs or {}).items() if name not in existing
        ]
        if wanted:
            # Another worker may win the race to create them; that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
            log.info("topics_created", topics=[t.name for t in wanted])
    finally:
        await admin.close()


def _new_topic(settings: Settings, name: str) -> NewTopic:
    logical = next((c for c in _COMPACTED if name == settings.topic(c)), None)
    if logical is not None:
        # Small, keyed state every instance reads in full: one partition, latest per key.
        return NewTopic(name, 1, 1, topic_configs=_topic_configs(settings, logical))
    return NewTopic(name, num_partitions=settings.partitions, replication_factor=1)
