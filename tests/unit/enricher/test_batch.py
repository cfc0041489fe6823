"""The enrich stage's batch (`Enrich.many`, what the Kafka runtime calls on a backlog) gives
each article exactly what enriching it alone gives."""

from __future__ import annotations

from pathlib import Path

from services.bootstrap import bootstrap
from services.enricher import Enricher
from services.flow import PIPELINE, BatchHandler
from services.runtimes.inprocess import InProcessRuntime
from services.stages import Enrich
from shared.settings import load_settings
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


def test_every_stage_declared_with_batches_is_built_with_a_blocking_batch_handler(
    tmp_path: Path,
) -> None:
    # The Kafka runtime calls `many` on a thread for a spec with batch > 1: the composition
    # root must build such a stage with a handler that has it.
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources: []\n")
    settings = load_settings(state_dir=tmp_path, console_sink=False, feeds_file=feeds)
    handlers = bootstrap(settings, InProcessRuntime(persistent=False), watch_rules=False).handlers
    batched = [spec for spec in PIPELINE if spec.batch > 1]
    assert batched, "no stage is batched"
    for spec in batched:
        assert spec.blocking and not spec.io, spec.name
        assert isinstance(handlers[spec.name], BatchHandler), spec.name
