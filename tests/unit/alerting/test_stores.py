"""SQLite group store and delivery log survive a reopen (i.e. a process restart)."""

from __future__ import annotations

from pathlib import Path

from services.alerting.delivery import MemoryDeliveryLog, SqliteDeliveryLog
from services.alerting.grouping import SqliteGroupStore, decide
from services.alerting.rules import RuleSet
from tests.unit.alerting.builders import article, enriched, troops

RULES = RuleSet.default()


def test_sqlite_group_store_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state" / "groups.sqlite"
    store = SqliteGroupStore(path)
    first = decide(RULES.match(enriched(troops(), art=article(1, "CNN")))[0], store, 1.0)
    store.close()

    reopened = SqliteGroupStore(path)
    again = decide(RULES.match(enriched(troops(), art=article(1, "CNN")))[0], reopened, 2.0)
    other = decide(RULES.match(enriched(troops(), art=article(2, "BBC")))[0], reopened, 3.0)
    assert again.kind == "duplicate" and again.resend == first.alert
    assert other.kind == "updated" and other.alert is not None
    assert other.alert.version == 2 and first.alert is not None
    assert other.alert.alert_id == first.alert.alert_id
    assert reopened.get("nope") is None
    reopened.close()


def test_sqlite_delivery_log_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.sqlite"
    log = SqliteDeliveryLog(path)
    assert not log.seen("a:1", "ops")
    log.record("a:1", "ops")
    log.record("a:1", "ops")  # idempotent
    log.close()
    reopened = SqliteDeliveryLog(path)
    assert reopened.seen("a:1", "ops")
    assert not reopened.seen("a:1", "console") and not reopened.seen("a:2", "ops")
    reopened.close()


def test_memory_delivery_log() -> None:
    log = MemoryDeliveryLog()
    log.record("a:1", "ops")
    assert log.seen("a:1", "ops") and not log.seen("a:1", "x") and len(log) == 1
