from __future__ import annotations

from pathlib import Path

from services.enricher import Enricher
from services.enricher.gazetteer import Gazetteer

from .conftest import run


def names(g: Gazetteer, text: str) -> list[tuple[str, str, str | None]]:
    return [(m.entry.name, m.entry.kind, m.entry.country) for m in g.find(text)]


def test_countries_demonyms_and_metonyms(enricher: Enricher) -> None:
    found = names(enricher.gazetteer, "North Korean troops, Ukraine, the Kremlin and Pyongyang.")
    assert ("North Korea", "country", "KP") in found
    assert ("Ukraine", "country", "UA") in found
    assert ("the Kremlin", "organisation", "RU") in found
    assert ("Pyongyang", "place", "KP") in found
    assert all(n != "Korea" for n, _, _ in found)


def test_every_iso_country_is_known(enricher: Enricher) -> None:
    assert len(enricher.gazetteer.countries) >= 249
    assert ("Eswatini", "country", "SZ") in names(enricher.gazetteer, "Eswatini said.")


def test_agencies_people_media(enricher: Enricher) -> None:
    text = (
        "Ukraine's intelligence directorate, Seoul's intelligence arm, Sergei Lavrov, "
        "Sergey Lavrov and The Japan Times."
    )
    found = names(enricher.gazetteer, text)
    assert ("GUR", "organisation", "UA") in found
    assert ("NIS", "organisation", "KR") in found
    assert [n for n, k, _ in found if k == "person"] == ["Sergey Lavrov", "Sergey Lavrov"]
    assert ("The Japan Times", "media", "JP") in found


def test_weak_alias_needs_full_name(enricher: Enricher) -> None:
    assert names(enricher.gazetteer, "Kim said so.") == []
    assert [n for n, *_ in names(enricher.gazetteer, "Kim Jong Un came. Kim said so.")] == [
        "Kim Jong Un",
        "Kim Jong Un",
    ]


def test_places_with_coordinates(enricher: Enricher) -> None:
    kursk = [m.entry for m in enricher.gazetteer.find("troops in Kursk") if m.entry.kind == "place"]
    assert kursk and kursk[0].country == "RU" and kursk[0].lat is not None


def test_word_boundaries_and_case(enricher: Enricher) -> None:
    assert names(enricher.gazetteer, "the usual trust in us and un-named iran") == []


def test_entities_in_output(enricher: Enricher) -> None:
    ents = run(enricher, "Russia and Russia's ally Belarus met in Minsk.").entities
    russia = [e for e in ents if e.name == "Russia"]
    assert russia and russia[0].mentions == 2 and russia[0].code == "RU"


def test_extra_gazetteer(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "organisations:\n  - {name: Azov Brigade, country: UA, type: armed_forces,"
        " aliases: [Azov, Azov Brigade]}\n",
        encoding="utf-8",
    )
    g = Gazetteer(extra)
    assert ("Azov Brigade", "organisation", "UA") in names(g, "The Azov Brigade said.")


def test_another_spelling_finds_a_town_in_the_storys_country() -> None:
    from services.enricher.places import index
    places = index()
    assert places.find("Izmail", {"UA"}) is not None
    assert places.find("Izmail", {"UA"}).country == "UA"  # type: ignore[union-attr]
    assert places.find("Izmail", {"FR"}) is None  # an alias abroad is too weak a guess


def test_a_named_province_abroad_is_a_place() -> None:
    from services.enricher.places import index
    found = index().find("Cabo Delgado province", {"RW"})
    assert found is not None and found.country == "MZ"


def test_a_city_at_the_end_of_a_longer_name_is_not_that_city(enricher: Enricher) -> None:
    g = enricher.gazetteer
    found = [n for n, _, _ in names(g, "Drones hit the Ali Al Salem Air Base in Kuwait.")]
    assert "Salem" not in found and "Kuwait" in found
    assert "Fuji" not in [n for n, _, _ in names(g, "Tanks fired at the East Fuji range.")]
    # a possessive or a sentence's first word does not hide a city
    assert "Kaliningrad" in [n for n, _, _ in names(g, "He flew to Russia's Kaliningrad.")]
    assert "Salem" in [n for n, _, _ in names(g, "It rained. Salem was flooded.")]
