"""The cleaner stage: raw pages and text dumps -> article text and metadata (pure core)."""

from services.cleaner.core import Cleaner, Unusable, clean

__all__ = ["Cleaner", "Unusable", "clean"]
