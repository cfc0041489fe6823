"""ApiHub: publishing updates the history and fans out without ever waiting on a client."""

from __future__ import annotations

import pytest

from services.alerting.api.hub import ApiHub, SubscriptionClosed
from services.alerting.history import AlertQuery, MemoryAlertHistory
from tests.unit.alerting_api.alerts import T0, mobilisation_alert, shells_alert, troops_alert

pytestmark = pytest.mark.asyncio


async def test_publish_records_and_fans_out_by_filter() -> None:
    hub = ApiHub(MemoryAlertHistory())
    critical = hub.subscribe(AlertQuery(severity="critical"))
    everything = hub.subscribe(AlertQuery())
    hub.publish(mobilisation_alert())
    hub.publish(troops_alert())
    assert hub.history.get(troops_alert().alert_id) is not None
    got = await critical.next(timeout=1)
    assert got is not None and got.alert_id == troops_alert().alert_id
    first = await everything.next(timeout=1)
    assert first is not None and first.alert_id == mobilisation_alert().alert_id


async def test_redelivery_is_not_pushed_again() -> None:
    hub = ApiHub(MemoryAlertHistory())
    sub = hub.subscribe(AlertQuery())
    assert hub.publish(troops_alert()) is not None
    assert hub.publish(troops_alert()) is None
    assert await sub.next(timeout=1) is not None
    assert await sub.next(timeout=0.01) is None  # nothing more: a heartbeat would be due


async def test_a_full_subscriber_is_dropped_and_others_keep_receiving() -> None:
    hub = ApiHub(MemoryAlertHistory(), queue_size=1)
    stalled = hub.subscribe(AlertQuery())
    reader = hub.subscribe(AlertQuery())
    hub.publish(troops_alert())
    assert await reader.next(timeout=1) is not None
    hub.publish(shells_alert())  # the stalled queue is full: dropped, publish returns at once
    assert hub.subscribers == 1 and stalled.closed
    assert await reader.next(timeout=1) is not None
    with pytest.raises(SubscriptionClosed):
        await stalled.next(timeout=1)
    hub.publish(troops_alert(version=2, alerted=T0 + 5))
    assert await reader.next(timeout=1) is not None


async def test_close_wakes_waiting_readers() -> None:
    hub = ApiHub(MemoryAlertHistory())
    sub = hub.subscribe(AlertQuery())
    hub.close()
    with pytest.raises(SubscriptionClosed):
        await sub.next(timeout=5)
    assert hub.subscribers == 0
