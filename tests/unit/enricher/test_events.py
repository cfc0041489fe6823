from __future__ import annotations

import pytest

from services.enricher import Enricher

from .conftest import of_type, roles, run


def test_troop_deployment(enricher: Enricher) -> None:
    r = run(enricher, "Russia has moved about 4,000 troops into Belarus for joint drills.")
    [e] = of_type(r, "troop_deployment")
    assert {("sender", "RU"), ("recipient", "BY")} <= roles(e)
    assert e.quantity and e.quantity.min == 4000 and e.quantity.approximate
    assert e.status == "completed"


def test_mobilisation(enricher: Enricher) -> None:
    r = run(enricher, "Israel called up 60,000 reservists ahead of an expanded operation.")
    [e] = of_type(r, "mobilisation")
    assert ("subject", "IL") in roles(e) and e.quantity and e.quantity.max == 60000


def test_arms_transfer_with_recipient_before_object(enricher: Enricher) -> None:
    r = run(
        enricher,
        "The US said in March that it has sent Ukraine roughly 3 million 155mm "
        "shells since the start of the war.",
    )
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "US"), ("recipient", "UA")} <= roles(e)
    assert e.quantity and e.quantity.calibre == "155mm"
    assert e.time_text == "in March" and e.attribution == ("United States",)


def test_attack_and_casualties(enricher: Enricher) -> None:
    r = run(
        enricher,
        "A Russian guided bomb hit a residential building in Kharkiv on Sunday, "
        "killing at least three people, the city's mayor said.",
    )
    [a] = of_type(r, "attack")
    assert {("attacker", "RU"), ("target", "UA")} <= roles(a)
    assert a.location and a.location.name == "Kharkiv" and a.time_text == "on Sunday"
    [c] = of_type(r, "casualties")
    assert ("victim", "UA") in roles(c) and c.quantity and c.quantity.unit == "killed"


def test_military_support(enricher: Enricher) -> None:
    r = run(enricher, "China pledged to support Pakistan's sovereignty and security.")
    [e] = of_type(r, "military_support")
    assert {("supporter", "CN"), ("recipient", "PK")} <= roles(e) and e.status == "pledged"


def test_diplomatic_contact(enricher: Enricher) -> None:
    r = run(enricher, "Antony Blinken met Dmytro Kuleba in Kyiv on Wednesday.")
    [e] = of_type(r, "diplomatic_contact")
    assert {a.name for a in e.actors} >= {"Antony Blinken", "Dmytro Kuleba"}


def test_coreference_pronoun(enricher: Enricher) -> None:
    r = run(enricher, "Kim Jong Un spoke on Sunday. He wants to send 30,000 troops to Russia.")
    [e] = of_type(r, "troop_deployment")
    assert ("sender", "KP") in roles(e) and e.status == "planned"


@pytest.mark.parametrize(
    "text",
    [
        "Troops of volunteers cleared debris from the beach after the storm.",
        "The company completed the deployment of its new billing platform to 12,000 servers.",
        "The visitors launched a fierce attack and their striker fired the ball past the keeper.",
        "In 1950, hundreds of thousands of Chinese troops crossed into Korea.",
        "Eighty years ago, Soviet troops liberated the camp, survivors said at the memorial.",
        "The brand deployed an army of influencers in a marketing blitz against its rival.",
        "A storm struck the coast on Sunday, knocking out power to 30,000 homes.",
        "Pakistan's central bank held rates.\nRead more: Russia sends 10,000 troops to the border",
        "Britain and France struck a deal on fishing rights.",
    ],
)
def test_hard_negatives(enricher: Enricher, text: str) -> None:
    assert run(enricher, text).events == ()


def test_status_planned_pledged_under_way(enricher: Enricher) -> None:
    assert (
        of_type(
            run(enricher, "Poland will send 17,000 soldiers to the border."), "troop_deployment"
        )[0].status
        == "planned"
    )
    assert (
        of_type(
            run(enricher, "Germany has pledged to send four more tanks to Ukraine."),
            "arms_transfer",
        )[0].status
        == "pledged"
    )
    assert (
        of_type(
            run(enricher, "The United States is deploying 2,000 Marines to Israel."),
            "troop_deployment",
        )[0].status
        == "under_way"
    )


def test_status_estimated_and_attribution_chain(enricher: Enricher) -> None:
    r = run(
        enricher,
        "Reuters reported, citing a Ukrainian intelligence assessment and an unnamed "
        "Western official, that Russia was planning to send 5,000 troops to "
        "Belarus.",
    )
    [e] = of_type(r, "troop_deployment")
    assert e.attribution == ("Reuters", "Ukrainian intelligence", "Western official")
    r = run(
        enricher,
        "The Pentagon estimates that about 1,000 North Korean soldiers were killed or wounded.",
    )
    [c] = of_type(r, "casualties")
    assert c.status == "estimated" and ("victim", "KP") in roles(c)
    assert c.quantity and c.quantity.unit == "killed_or_wounded"


def test_denial_and_dispute(enricher: Enricher) -> None:
    r = run(enricher, "The Kremlin denied that Russia was preparing to deploy troops to Belarus.")
    assert of_type(r, "troop_deployment")[0].status == "denied"
    r = run(
        enricher,
        "Iran has supplied Russia with hundreds of drones, according to US "
        "officials. Tehran has denied providing weapons for the war.",
    )
    [e] = of_type(r, "arms_transfer")
    assert e.disputed_by == ("Iran",) and e.attribution == ("US officials",)


def test_negated_statement_is_not_an_event(enricher: Enricher) -> None:
    assert run(enricher, "Japan said it would not send troops to Ukraine.").events == ()


def test_stamps_copied(enricher: Enricher) -> None:
    assert run(enricher, "Nothing here.").stamps == {"fetched": 1.0, "cleaned": 2.0}
