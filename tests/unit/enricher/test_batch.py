"""The enrich stage's batch (`Enrich.many`, what the Kafka runtime calls on a backlog) gives
each article exactly what enriching it alone gives."""

from __future__ import annotations

from services.enricher import Enricher
from services.flow import PIPELINE, BatchHandler
from services.stages import Enrich
from tests.unit.enricher.conftest import article

TEXTS = (
    "Germany will send 1,500 troops to Lithuania, the defence ministry said on Monday.",
    "The city council approved a new budget for its parks and libraries on Tuesday.",
    "Russian forces struck Kharkiv overnight with 12 drones, killing three people, the "
    "regional governor said. Ukraine's air force said it shot down 9 of the drones.",
    "",
    "Officials denied that Iran had supplied ballistic missiles to Russia.",
)


def test_a_batch_enriches_each_article_as_it_would_alone(enricher: Enricher) -> None:
    stage = Enrich(enricher)
    articles = [article(text, id_=f"a{i}") for i, text in enumerate(TEXTS)]
    assert stage.many(articles, 5.0) == [stage(a, 5.0) for a in articles]
    assert sum(len(out[0].events) for out in stage.many(articles, 5.0)) >= 3


def test_only_blocking_batch_handlers_are_declared_with_batches(enricher: Enricher) -> None:
    batched = [spec for spec in PIPELINE if spec.batch > 1]
    assert [spec.name for spec in batched] == ["enrich"]
    assert all(spec.blocking and not spec.io for spec in batched)
    assert isinstance(Enrich(enricher), BatchHandler)
