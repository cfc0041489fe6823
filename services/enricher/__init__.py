"""Enricher: entities, military events and story ids from clean articles (pure core).

``Enricher`` and ``enrich`` are imported lazily: importing a submodule (``stories``,
``amounts``) must not load spaCy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.enricher.core import Enricher, enrich

__all__ = ["Enricher", "enrich"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from services.enricher import core

        return getattr(core, name)
    raise AttributeError(name)
