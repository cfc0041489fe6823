"""Offline language identification (py3langid), with the page's own declaration as backup."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_SAMPLE_CHARS = 1200
_MIN_CHARS = 40
_DECLARED = re.compile(r"^([a-z]{2})(?:[-_].*)?$", re.IGNORECASE)


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def declared(value: str | None) -> str | None:
    """"en-GB" -> "en"; None for anything that is not an ISO 639-1 tag."""
    match = _DECLARED.match((value or "").strip())
    return match.group(1).lower() if match else None


def detect(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``; falls back to ``hint`` when the text is short or unclear."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_CHARS:
        return declared(hint)
    lang, prob = _identifier().classify(sample)
    if prob < 0.5 and declared(hint):
        return declared(hint)
    return str(lang)
