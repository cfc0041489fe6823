"""A token bucket per sink route: pure, driven by an explicit `now` (monotonic seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.alerting.model import RouteLimit


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: int = 1
    tokens: float = field(default=-1.0)
    updated: float | None = None

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = float(self.burst)

    @classmethod
    def of(cls, limit: RouteLimit) -> TokenBucket:
        return cls(limit.per_minute / 60.0, limit.burst)

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0: one is available now). Takes nothing."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate_per_s

    def take(self, now: float) -> bool:
        """Take a token if one is available."""
        if self.wait(now) > 0:
            return False
        self.tokens -= 1
        return True

    def _refill(self, now: float) -> None:
        if self.updated is not None and now > self.updated:
            self.tokens = min(
                float(self.burst), self.tokens + (now - self.updated) * self.rate_per_s
            )
        self.updated = now if self.updated is None else max(self.updated, now)
