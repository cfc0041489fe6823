"""Grouping: new / updated / duplicate / held, and the summary line."""

from __future__ import annotations

from dataclasses import replace

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from services.alerting.grouping import (
    Candidate,
    GroupState,
    MemoryGroupStore,
    alert_id_for,
    decide,
    group_key_for,
)
from services.alerting.rules import RuleSet
from services.alerting.summary import summarise
from shared.records import EnrichedArticle, Event
from tests.unit.alerting.builders import article, enriched, shells, troops

RULES = RuleSet.default()
TROOPS_RULE = next(r for r in RULES if r.name == "large-troop-deployment")


def candidate_from(n: int, publisher: str, event: Event | None = None) -> Candidate:
    art = article(n, publisher=publisher)
    (cand,) = RULES.match(enriched(event or troops(), art=art, story=f"story-{n}"))
    return cand


class RecordingStore(MemoryGroupStore):
    def __init__(self) -> None:
        super().__init__()
        self.puts: list[str] = []

    def put(self, group_key: str, state: GroupState) -> None:
        self.puts.append(group_key)
        super().put(group_key, state)


def test_same_story_from_three_outlets_is_one_alert_versions_1_2_3() -> None:
    store = MemoryGroupStore()
    outlets = ["CNN", "Business Insider", "Reuters"]
    decisions = [decide(candidate_from(i, p), store, 2000.0 + i) for i, p in enumerate(outlets)]
    assert [d.kind for d in decisions] == ["new", "updated", "updated"]
    alerts = [d.alert for d in decisions]
    assert all(a is not None for a in alerts)
    assert {a.alert_id for a in alerts if a} == {alert_id_for(decisions[0].alert.group_key)}  # type: ignore[union-attr]
    assert [a.version for a in alerts if a] == [1, 2, 3]
    last = alerts[-1]
    assert last is not None
    assert [s.publisher for s in last.sources] == outlets
    assert last.story_id == "story-0"  # the group keeps its first story
    assert last.delivery_key == f"{last.alert_id}:3"
    assert last.summary.endswith("· 3 sources")


def test_same_article_again_is_a_duplicate_and_stores_nothing() -> None:
    store = RecordingStore()
    first = decide(candidate_from(1, "CNN"), store, 1.0)
    again = decide(candidate_from(1, "CNN"), store, 2.0)
    assert first.kind == "new" and again.kind == "duplicate"
    assert again.alert is None
    assert again.resend == first.alert  # what a caller that crashed mid-way may re-deliver
    assert len(store.puts) == 1


def test_same_url_with_another_id_is_also_a_duplicate() -> None:
    store = MemoryGroupStore()
    decide(candidate_from(1, "CNN"), store, 1.0)
    cand = candidate_from(1, "CNN")
    moved = replace(cand.enriched.article, id="other-id")
    dup = replace(cand, enriched=replace(cand.enriched, article=moved))
    assert decide(dup, store, 2.0).kind == "duplicate"


def test_alert_content() -> None:
    decision = decide(candidate_from(1, "CNN"), MemoryGroupStore(), 1234.5)
    alert = decision.alert
    assert alert is not None
    assert alert.group_key == "large-troop-deployment:sig-kp-ru-troops"
    assert alert.alert_id == alert_id_for(alert.group_key) and len(alert.alert_id) == 16
    assert (alert.rule, alert.severity) == ("large-troop-deployment", "critical")
    assert alert.stamps == {
        "fetched": 1000.0,
        "cleaned": 1000.1,
        "enriched": 1000.2,
        "alerted": 1234.5,
    }
    assert alert.summary == (
        "North Korea → Russia: 25,000–30,000 troops "
        "(planned; CNN citing Ukrainian intelligence; disputed by GUR)"
    )


def test_groups_are_per_rule_and_signature() -> None:
    store = MemoryGroupStore()
    a = decide(candidate_from(1, "CNN"), store, 1.0)
    b = decide(candidate_from(2, "CNN", troops(signature="other-event")), store, 2.0)
    assert a.kind == b.kind == "new"
    assert a.alert and b.alert and a.alert.alert_id != b.alert.alert_id


def test_min_sources_holds_until_enough_independent_publishers() -> None:
    rule = replace(TROOPS_RULE, min_sources=2)
    store = MemoryGroupStore()

    def cand(n: int, publisher: str, original: str | None = None) -> Candidate:
        enr = enriched(troops(), art=article(n, publisher, original))
        return Candidate(rule, enr.events[0], enr, group_key_for(rule, enr.events[0]))

    assert decide(cand(1, "Business Insider"), store, 1.0).kind == "held"
    # A Yahoo reprint of Business Insider is not an independent publisher.
    assert decide(cand(2, "Yahoo", original="Business Insider"), store, 2.0).kind == "held"
    third = decide(cand(3, "CNN"), store, 3.0)
    assert third.kind == "new" and third.alert is not None
    assert third.alert.version == 1 and len(third.alert.sources) == 3
    assert decide(cand(4, "BBC"), store, 4.0).kind == "updated"


def test_missing_signature_falls_back_to_what_happened() -> None:
    a = group_key_for(TROOPS_RULE, troops(signature=""))
    b = group_key_for(TROOPS_RULE, troops(signature="", sentence="Other words entirely."))
    c = group_key_for(TROOPS_RULE, troops(1, 2000, signature=""))
    assert a == b != c


def test_group_state_round_trips_through_json() -> None:
    store = MemoryGroupStore()
    decide(candidate_from(1, "CNN"), store, 1.0)
    state = store.get("large-troop-deployment:sig-kp-ru-troops")
    assert state is not None and state.alert is not None
    wire = orjson.loads(orjson.dumps(state.to_dict()))
    assert GroupState.from_dict(wire) == state


def test_summary_formats() -> None:
    assert summarise(shells()) == (
        "North Korea → Russia: about 12 million 152mm shells (estimated; South Korean intelligence)"
    )
    lone = Event("mobilisation", (), "under_way", "s", 1.0)
    assert summarise(lone) == "Mobilisation (under way)"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=20))
def test_versions_count_distinct_articles(order: list[int]) -> None:
    store = MemoryGroupStore()
    versions = []
    for n in order:
        enr: EnrichedArticle = enriched(troops(), art=article(n, f"pub-{n}"))
        decision = decide(RULES.match(enr)[0], store, float(n))
        if decision.alert is not None:
            versions.append(decision.alert.version)
    assert versions == list(range(1, len(set(order)) + 1))
