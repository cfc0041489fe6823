"""Units of failure. Every source poll, every page and every article handed on is one: an
unexpected exception inside a unit is logged once (with the unit's context and the exception
type), counted in ``frontwire_fetcher_errors_total{kind}`` and stops there, so one hostile
feed or page never stops the polls, pages or articles next to it.

This is the boundary, not a list of known failures: the parsers raise their own typed errors
(``FeedError``, ``FetchError``) for what they expect, and anything else a stranger's bytes
provoke ends here. ``asyncio.CancelledError`` (a BaseException) is never caught, so shutdown
still works.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from services.fetcher.metrics import ERRORS
from shared.observability import get_logger

log = get_logger("frontwire.fetcher")

# kind -> what the unit is (the label values of frontwire_fetcher_errors_total besides the
# FetchError kinds): a crash while polling a source, processing one page, handing an article
# on, writing the fetch state, or parsing past the budget.
UNIT_KINDS = frozenset({"poll", "page", "emit", "state", "parse_timeout", "parse_crash"})


@dataclass
class Unit:
    kind: str
    error: BaseException | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def unit(kind: str, **context: Any) -> Iterator[Unit]:
    """``with unit("page", source=..., url=...) as u: ...``; ``u.failed`` afterwards."""
    assert kind in UNIT_KINDS, kind
    box = Unit(kind)
    try:
        yield box
    except Exception as exc:  # the unit boundary: see the module docstring
        box.error = exc
        failed(kind, exc, **context)


def failed(kind: str, exc: BaseException, **context: Any) -> None:
    """Count and log one unit failure (also for callers that caught it themselves)."""
    ERRORS.labels(kind).inc()
    log.error("unit_failed", unit=kind, error_type=type(exc).__name__,
              error=str(exc)[:300], exc_info=exc, **context)
