"""The enricher's scorer (bench/enricher_scoring.py): how a prediction meets a label."""

from __future__ import annotations

from bench.enricher_scoring import Score, Scorer, fold
from shared.records import Actor, EnrichedArticle, Event
from tests.unit.alerting.builders import article


def _contact(*names: str) -> Event:
    return Event(type="diplomatic_contact", status="completed", sentence="", confidence=0.9,
                 actors=tuple(Actor("participant", n, "person", None) for n in names))


def test_a_name_printed_without_its_diacritics_is_the_same_party() -> None:
    assert fold("Yaşar Güler") == fold("Yasar Guler") == "Yasar Guler"
    assert fold("Władysław Kosiniak-Kamysz") == "Wladyslaw Kosiniak-Kamysz"
    label = {"id": "t", "genre": "wire", "events": [
        {"type": "diplomatic_contact", "status": "completed",
         "actors": [{"role": "participant", "name": "Yaşar Güler"},
                    {"role": "participant", "name": "Irakli Chikovani"}]}]}
    result = EnrichedArticle(article(), (), (_contact("Yasar Guler", "Irakli Chikovani"),), "s")
    score = Score()
    Scorer().score_doc(score, label, result)
    assert (score.events.tp, score.strict.tp) == (1, 1)
