"""The default pack and each match constraint."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from services.alerting.rules import RuleSet, rule_matches
from shared.records import Actor, Location, Quantity
from tests.unit.alerting.builders import casualties, enriched, mobilisation, shells, troops

DEFAULT = RuleSet.default()


def matched(*events: object) -> list[str]:
    return [c.rule.name for c in DEFAULT.match(enriched(*events))  # type: ignore[arg-type]
            if not c.update_only]


def test_large_troop_deployment_any_status_but_denied() -> None:
    for status in ("planned", "completed", "pledged", "disputed", "reported"):
        assert matched(troops(status=status)) == ["large-troop-deployment"]
    assert matched(troops(status="denied")) == []


def test_troop_threshold_uses_the_upper_bound() -> None:
    assert matched(troops(500, 1000)) == ["large-troop-deployment"]
    assert matched(troops(200, 999, status="completed")) == ["troop-deployment"]
    assert matched(troops(200, 999)) == []  # small and only planned: nothing
    assert matched(troops(quantity=None, status="completed")) == ["troop-deployment"]


def test_critical_needs_both_sides_named() -> None:
    one_sided = replace(troops(), actors=(troops().actors[0],))
    assert matched(one_sided) == []
    assert matched(replace(shells(), actors=(shells().actors[1],))) == []


def test_each_event_is_graded_once() -> None:
    """`continue: false`: a critical match hides the event from the warning rules after it."""
    assert matched(troops(status="completed")) == ["large-troop-deployment"]
    assert matched(shells()) == ["arms-transfer"]
    assert matched(replace(shells(), quantity=None)) == ["arms-transfer-reported"]


def test_mobilisation() -> None:
    assert matched(mobilisation()) == ["mobilisation"]
    assert matched(mobilisation(status="denied")) == []


def test_casualties_by_scale() -> None:
    victims = (Actor("victim", "North Korea", "country", "KP"),)
    assert matched(replace(casualties(100), actors=victims)) == ["mass-casualties"]
    assert matched(replace(casualties(99), actors=victims)) == ["casualties"]
    assert matched(replace(casualties(9), actors=victims)) == []
    assert matched(replace(casualties(500, unit="captured"), actors=victims)) == []
    assert matched(replace(casualties(500), actors=())) == []  # no victim named


def test_attacks_pacts_and_talks() -> None:
    sides = (Actor("attacker", "Russia", "country", "RU"),
             Actor("target", "Ukraine", "country", "UA"))
    strike = replace(troops(), type="attack", actors=sides, status="completed",
                     quantity=Quantity(40, 40, "drones"))
    assert matched(strike) == ["large-attack"]
    assert matched(replace(strike, quantity=None)) == ["attack"]
    assert matched(replace(strike, status="planned")) == []
    pact = replace(troops(), type="military_support", quantity=None, status="completed",
                   sentence="Egypt and Somalia signed a defence pact.",
                   actors=(Actor("supporter", "Egypt", "country", "EG"),
                           Actor("recipient", "Somalia", "country", "SO")))
    assert matched(pact) == ["defence-pact"]
    assert matched(replace(pact, sentence="Egypt will back Somalia.")) == ["support-pledge"]
    talk = replace(troops(), type="diplomatic_contact", quantity=None, status="completed",
                   actors=(Actor("participant", "Kim Jong Un", "person"),
                           Actor("participant", "Sergey Lavrov", "person")))
    assert matched(talk) == ["diplomatic-contact"]


def test_a_denial_comes_as_an_update_only_candidate() -> None:
    [c] = DEFAULT.match(enriched(troops(status="denied")))
    assert c.update_only and c.rule.name == "large-troop-deployment"
    assert c.group_key == "large-troop-deployment:sig-kp-ru-troops"  # the claim's group


def test_every_event_of_an_article_is_considered() -> None:
    victims = (Actor("victim", "North Korea", "country", "KP"),)
    cands = DEFAULT.match(enriched(troops(), shells(), replace(casualties(), actors=victims)))
    assert [c.rule.name for c in cands] == [
        "large-troop-deployment",
        "arms-transfer",
        "mass-casualties",
    ]
    assert cands[0].group_key == "large-troop-deployment:sig-kp-ru-troops"
    assert cands[1].event.type == "arms_transfer"


def test_get_by_name() -> None:
    assert DEFAULT.get("mobilisation") is not None
    assert DEFAULT.get("nope") is None


@pytest.fixture
def custom(tmp_path: Path) -> RuleSet:
    path = tmp_path / "custom.yaml"
    path.write_text(
        """
rules:
  - name: kp-sends-to-ru
    severity: warning
    match:
      event_types: [troop_deployment, arms_transfer]
      actors: [{actor: KP, role: sender}, russia]
      statuses: [planned, completed]
      min_confidence: 0.5
    routes: [console]
  - name: kursk-keywords
    severity: info
    match:
      event_types: [troop_deployment, casualties]
      countries: [ru]
      keywords: [shells, Kursk]
""",
        encoding="utf-8",
    )
    return RuleSet.load(path)


def test_actor_codes_names_and_roles(custom: RuleSet) -> None:
    rule = custom.rules[0]
    assert rule.routes == ("console",)
    assert rule_matches(rule, troops())
    kp, ru = troops().actors
    swapped = replace(troops(), actors=(replace(kp, role="recipient"), replace(ru, role="sender")))
    assert not rule_matches(rule, swapped)  # KP must be the sender
    syria = Actor("recipient", "Syria", "country", "SY")
    no_ru = replace(troops(), actors=(troops().actors[0], syria))
    assert not rule_matches(rule, no_ru)


def test_status_and_confidence(custom: RuleSet) -> None:
    rule = custom.rules[0]
    assert not rule_matches(rule, troops(status="reported"))
    assert not rule_matches(rule, troops(confidence=0.49))
    assert rule_matches(rule, troops(confidence=0.5))


def test_countries_include_location(custom: RuleSet) -> None:
    rule = custom.rules[1]
    # Only the location says Russia; the sentence carries the keyword.
    lone = replace(casualties(), actors=(), sentence="Some 6,000 were killed in Kursk.")
    assert rule_matches(rule, lone)
    moved = replace(lone, location=Location("Kursk", "UA"))
    assert not rule_matches(rule, moved)


def test_keywords_are_whole_words_case_insensitive(custom: RuleSet) -> None:
    rule = custom.rules[1]
    base = troops(sentence="Troops were sent to KURSK region.")
    assert rule_matches(rule, base)
    assert not rule_matches(rule, replace(base, sentence="Troops were sent to Kurskaya."))
    assert not rule_matches(rule, replace(base, sentence="No such words here."))


def test_units_filter_requires_quantity() -> None:
    rule = DEFAULT.get("mass-casualties")
    assert rule is not None
    assert not rule_matches(rule, replace(casualties(), quantity=None))
    assert rule_matches(rule, replace(casualties(), quantity=Quantity(150, 150, "killed")))
