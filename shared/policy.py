"""What a stage loop does when its handler raises: dead-letter the record, retry it, or stop.

Pure (no I/O, no clock): the loop asks ``policy.decide(exc, attempt)`` after each failed
attempt and carries the decision out. The default policy dead-letters every error at once,
which is what the stage loops have always done: a poison record must never stall its
partition. A stage that calls something flaky can retry some error types a bounded number of
times with exponential back-off; a stage that must not run past an error it cannot judge can
stop instead (the worker crashes, the record is not committed, the next run reads it again)::

    ErrorPolicy(retry=(TransientDeliveryError,), max_attempts=4, stop=(StateError,))
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Action(enum.Enum):
    DEAD_LETTER = "dead_letter"
    RETRY = "retry"
    STOP = "stop"


@dataclass(frozen=True)
class Decision:
    action: Action
    delay_s: float = 0.0  # for RETRY: wait this long before the next attempt

    def __post_init__(self) -> None:
        if self.delay_s < 0:
            raise ValueError("delay_s must be >= 0")


DEAD_LETTER = Decision(Action.DEAD_LETTER)
STOP = Decision(Action.STOP)


@dataclass(frozen=True)
class ErrorPolicy:
    """``stop``: error types that stop the worker; ``retry``: error types tried again, up to
    ``max_attempts`` attempts in all, waiting ``backoff_s * 2**(n-1)`` (at most
    ``backoff_max_s``) after the n-th failure; everything else, and a retried error whose
    attempts are spent, is dead-lettered. ``stop`` wins over ``retry`` for a type in both."""

    retry: tuple[type[BaseException], ...] = ()
    stop: tuple[type[BaseException], ...] = ()
    max_attempts: int = 3
    backoff_s: float = 0.2
    backoff_max_s: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.backoff_s < 0 or self.backoff_max_s < 0:
            raise ValueError("back-off must be >= 0")

    def decide(self, exc: BaseException, attempt: int) -> Decision:
        """The decision after the ``attempt``-th (1-based) failed attempt raised ``exc``."""
        if isinstance(exc, self.stop):
            return STOP
        if isinstance(exc, self.retry) and attempt < self.max_attempts:
            return Decision(Action.RETRY, self.delay(attempt))
        return DEAD_LETTER

    def delay(self, attempt: int) -> float:
        return min(self.backoff_max_s, self.backoff_s * 2.0 ** min(max(attempt, 1) - 1, 64))


DEFAULT_POLICY = ErrorPolicy()  # dead-letter everything, at once: the loops' behaviour
