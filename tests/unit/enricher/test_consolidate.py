"""Which drafts tell one occurrence: the merge rules on hand-built drafts."""

from __future__ import annotations

from services.enricher.consolidate import compatible, merge
from services.enricher.model import Draft
from services.enricher.model import one_role_each as _one_role_each
from services.enricher.scenes import one_occurrence
from shared.records import Actor, Quantity

JNIM = Actor("attacker", "JNIM", "organisation")
MALI = Actor("target", "Mali", "country", "ML")
NIGER = Actor("target", "Niger", "country", "NE")
TOWN = Actor("target", "Tessit", "organisation")  # an unknown town the NER read as a name
GROUP = Actor("target", "Islamic State", "organisation")


def _attack(*actors: Actor, index: int = 0, headline: bool = False) -> Draft:
    return Draft("attack", list(actors), "completed", "", 100 * index, index,
                 headline=headline)


def test_a_named_place_and_a_country_can_be_one_target() -> None:
    headline = _attack(JNIM, MALI, headline=True)
    body = _attack(JNIM, TOWN, index=1)
    assert compatible(headline, body)
    [one] = merge([headline, body])
    assert {a.name for a in one.actors} >= {"JNIM"}


def test_two_countries_are_two_targets() -> None:
    assert not compatible(_attack(JNIM, MALI), _attack(JNIM, NIGER, index=1))


def test_two_groups_are_two_targets() -> None:
    assert not compatible(_attack(JNIM, TOWN), _attack(JNIM, GROUP, index=1))


def test_different_attackers_are_never_one_attack() -> None:
    other = Actor("attacker", "Boko Haram", "organisation")
    assert not compatible(_attack(JNIM, MALI), _attack(other, TOWN, index=1))


def test_casualties_keep_the_killed_count_and_the_wounded_in_also() -> None:
    victims = Actor("victim", "Niger", "country", "NE")
    killed = Quantity(44, 44, "killed", False, "44 civilians")
    wounded = Quantity(13, 13, "wounded", False, "thirteen other worshippers")
    drafts = [Draft("casualties", [victims], "completed", "", 100 * i, 0, quantity=q)
              for i, q in enumerate((killed, wounded))]
    [one] = merge(drafts)
    assert one.quantity == killed
    assert one.also == [wounded]


def _contact(*names: tuple[str, str], index: int = 0) -> Draft:
    actors = [Actor("participant", n, kind, n[:2].upper() if kind == "country" else None)
              for n, kind in names]
    return Draft("diplomatic_contact", actors, "completed", "", 100 * index, index)


def test_a_visit_to_a_country_and_talks_with_its_minister_are_one_contact() -> None:
    visit = _contact(("Ali Tahir", "person"), ("Turkey", "country"))
    talks = _contact(("Mehmet Ozkan", "person"), ("Ali Tahir", "person"))
    assert compatible(visit, talks)
    [one] = merge([visit, talks])
    assert {"Ali Tahir", "Mehmet Ozkan"} <= {a.name for a in one.actors}


def test_meetings_with_two_other_people_or_countries_are_two_contacts() -> None:
    kim = ("Kim Jong Un", "person")
    assert not compatible(_contact(kim, ("Sergei Lavrov", "person")),
                          _contact(kim, ("Sergei Shoigu", "person"), index=1))
    assert not compatible(_contact(kim, ("Russia", "country")),
                          _contact(kim, ("China", "country"), index=1))


def test_a_party_acting_is_not_also_acted_on_in_one_report() -> None:
    iran_target = Actor("target", "Iran", "country", "IR")
    iran = Actor("attacker", "Iran", "country", "IR")
    base = Actor("target", "Al Udeid", "organisation")
    assert _one_role_each([iran_target, iran, base]) == [iran, base]
    kim, lavrov = Actor("participant", "Kim", "person"), Actor("participant", "Lavrov", "person")
    assert _one_role_each([kim, lavrov]) == [kim, lavrov]


# -- one attack and one count in an article: one occurrence ----------------------------------
def _count(*actors: Actor, index: int = 5) -> Draft:
    return Draft("casualties", list(actors), "completed", "", 100 * index, index,
                 quantity=Quantity(3, 3, "killed"))


def test_the_only_count_takes_the_only_attacks_attacker_and_gives_it_a_target() -> None:
    attack = Draft("attack", [Actor("attacker", "Russia", "country", "RU")], "completed", "",
                   0, 0)
    count = _count(Actor("victim", "Ukraine", "country", "UA"))
    one_occurrence([attack, count])
    assert ("attacker", "RU") in {(a.role, a.code) for a in count.actors}
    assert ("target", "UA") in {(a.role, a.code) for a in attack.actors}


def test_nothing_is_guessed_with_two_attacks_or_other_parties() -> None:
    ru = Actor("attacker", "Russia", "country", "RU")
    attacks = [Draft("attack", [ru], "completed", "", 0, 0),
               Draft("attack", [ru], "completed", "", 200, 2)]
    count = _count(Actor("victim", "Ukraine", "country", "UA"))
    one_occurrence([*attacks, count])
    assert [a.role for a in count.actors] == ["victim"]
    elsewhere = Draft("attack", [ru, Actor("target", "Poland", "country", "PL")], "completed",
                      "", 0, 0)
    count = _count(Actor("victim", "Ukraine", "country", "UA"))
    one_occurrence([elsewhere, count])
    assert [a.role for a in count.actors] == ["victim"]
