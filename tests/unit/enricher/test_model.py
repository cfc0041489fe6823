"""The spaCy pipeline the enricher loads: the checks at load, and its matrix products."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from spacy.language import Language
from thinc.api import NumpyOps

from services.enricher import nlp as model

SENTENCES = [
    "The defence ministry said on Tuesday that two brigades had been moved to the border.",
    "Rebels shelled the town overnight, killing at least four soldiers, officials said.",
    "Norway will send 12 howitzers and ammunition to the army before the winter.",
]


def _copy_meta(tmp_path: Path, **changes: object) -> Path:
    _package, package_path = model.locate()
    src = model.data_dir(package_path)
    meta = json.loads((src / "meta.json").read_text())
    meta.update(changes)
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    return src


def test_the_installed_pipeline_passes_its_checks() -> None:
    info = model.info()
    assert info.version == model.VERSION
    assert info.package in (model.OFFICIAL, model.REUPLOAD)


def test_another_model_version_is_refused_naming_it(tmp_path: Path) -> None:
    package, _path = model.locate()
    _copy_meta(tmp_path, version="3.7.1")
    with pytest.raises(model.ModelError, match=r"3\.7\.1"):
        model.check(package, tmp_path)


def test_a_pipeline_without_a_parser_is_refused(tmp_path: Path) -> None:
    package, _path = model.locate()
    _copy_meta(tmp_path, pipeline=["tok2vec", "tagger"])
    with pytest.raises(model.ModelError, match="parser"):
        model.check(package, tmp_path)


def test_reupload_weights_that_differ_are_refused(tmp_path: Path) -> None:
    src = _copy_meta(tmp_path)
    for component in model.WEIGHTS:
        (tmp_path / component).mkdir()
        shutil.copy(src / component / "model", tmp_path / component / "model")
    with (tmp_path / "parser" / "model").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(model.ModelError, match="parser weights differ"):
        model.check(model.REUPLOAD, tmp_path)


def test_every_network_multiplies_through_numpy_not_blis() -> None:
    """Catches a thinc upgrade that drops ``use_blis`` or stops honouring ``node.ops``."""
    nodes = list(model.networks(model.pipeline()))
    assert len(nodes) > 10
    assert all(isinstance(n.ops, NumpyOps) and n.ops.use_blis is False for n in nodes)


def test_numpy_products_parse_as_blis_does() -> None:
    _package, package_path = model.locate()
    path = model.data_dir(package_path)
    fast, blis = model.load(path), model.load(path, blis=True)
    assert any(getattr(n.ops, "use_blis", False) for n in model.networks(blis))

    def read(nlp: Language) -> list[list[tuple[str, str, int]]]:
        return [[(t.tag_, t.dep_, t.head.i) for t in doc] for doc in nlp.pipe(SENTENCES)]

    assert read(fast) == read(blis)
