"""Enricher: entities, military events and story ids from clean articles (pure core)."""

from services.enricher.core import Enricher, enrich

__all__ = ["Enricher", "enrich"]
