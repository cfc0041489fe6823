"""Per-host politeness and back-off: a semaphore and a minimum gap between requests per host,
exponential back-off with jitter after failures, Retry-After honoured, and a circuit breaker
that fails fast once a host has failed ``failure_threshold`` times in a row."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from shared.errors import HostBackingOff

MAX_RETRY_AFTER_S = 3600.0


class HostBlocked(HostBackingOff):
    """The host is backing off or its circuit is open (raised without the URL; the fetcher
    re-raises it as a HostBackingOff with it)."""

    def __init__(self, host: str, remaining_s: float, failures: int) -> None:
        self.host, self.remaining_s, self.failures = host, remaining_s, failures
        state = "circuit open" if failures else "backing off"
        super().__init__(f"{host}: {state} for another {remaining_s:.1f} s")


@dataclass
class HostState:
    sem: asyncio.Semaphore
    next_at: float = 0.0  # politeness: earliest start of the next request
    blocked_until: float = 0.0  # back-off, Retry-After or open circuit
    failures: int = 0  # consecutive failures
    min_delay_s: float = 0.0  # this host's own gap (robots.txt Crawl-delay), if larger


@dataclass
class HostPolicy:
    concurrency: int = 2
    min_delay_s: float = 1.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 300.0
    failure_threshold: int = 5
    open_s: float = 300.0  # first circuit-open period; doubles while the host keeps failing
    max_wait_s: float = 10.0  # sleep out a back-off up to this long, fail fast beyond


class HostGates:
    def __init__(
        self, policy: HostPolicy, *, clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy, self._clock, self._jitter = policy, clock, jitter
        self._hosts: dict[str, HostState] = {}

    def state(self, host: str) -> HostState:
        st = self._hosts.get(host)
        if st is None:
            st = self._hosts[host] = HostState(asyncio.Semaphore(self.policy.concurrency))
        return st

    def blocked_for(self, host: str) -> float:
        return max(0.0, self.state(host).blocked_until - self._clock())

    def _check(self, host: str, st: HostState) -> None:
        remaining = st.blocked_until - self._clock()
        if remaining > self.policy.max_wait_s:
            open_circuit = st.failures >= self.policy.failure_threshold
            raise HostBlocked(host, remaining, st.failures if open_circuit else 0)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        st = self.state(host)
        self._check(host, st)
        async with st.sem:
            self._check(host, st)
            wait = max(st.next_at, st.blocked_until) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            st.next_at = self._clock() + max(self.policy.min_delay_s, st.min_delay_s)
            yield

    def success(self, host: str) -> None:
        st = self.state(host)
        st.failures = 0
        st.blocked_until = 0.0

    def failure(self, host: str, retry_after_s: float | None = None) -> None:
        p, st = self.policy, self.state(host)
        st.failures += 1
        delay = min(p.backoff_max_s, p.backoff_base_s * 2 ** (st.failures - 1))
        delay *= 0.5 + self._jitter() / 2
        if st.failures >= p.failure_threshold:
            delay = max(delay, p.open_s * 2 ** min(st.failures - p.failure_threshold, 6))
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
        st.blocked_until = max(st.blocked_until, self._clock() + delay)

    def set_min_delay(self, host: str, delay_s: float) -> None:
        """One host's own gap between requests (robots.txt Crawl-delay), capped at a minute."""
        self.state(host).min_delay_s = min(max(delay_s, 0.0), 60.0)
