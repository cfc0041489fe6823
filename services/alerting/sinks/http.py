"""POST with bounded retries: exponential backoff with jitter, Retry-After honoured.

Retried: timeouts, connection errors, 408, 425, 429 and 5xx. Anything else that is not 2xx
is permanent. Retries stop at `max_attempts` or when the next wait would end past
`max_elapsed_s`, whichever comes first, so one dead receiver cannot hold an alert forever.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from services.alerting.sinks.base import PermanentDeliveryError, TransientDeliveryError

RETRYABLE_STATUS = frozenset({408, 425, 429})
Sleep = Callable[[float], Awaitable[None]]
BuildRequest = Callable[[], tuple[bytes, dict[str, str]]]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_elapsed_s: float = 30.0
    base_delay_s: float = 0.25
    max_delay_s: float = 8.0
    max_retry_after_s: float = 60.0

    def backoff(self, attempt: int) -> float:
        # "Equal jitter": at least half the exponential step, so retries never bunch at 0.
        step = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return step / 2 + random.uniform(0, step / 2)


class HttpPoster:
    """Owns one lazily created httpx.AsyncClient; never puts the URL in errors or logs."""

    def __init__(
        self,
        url: str,
        *,
        name: str,
        timeout_s: float = 5.0,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        trust_env: bool = True,
    ) -> None:
        self._url, self._name, self._timeout = url, name, timeout_s
        self.policy = policy or RetryPolicy()
        self._sleep, self._trust_env = sleep, trust_env
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        # Lazily: the client binds to the running event loop, which may not exist at build time.
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=False, trust_env=self._trust_env
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, build: BuildRequest) -> httpx.Response:
        """POST `build()` (body, headers) — rebuilt per attempt so signatures stay fresh."""
        deadline = time.monotonic() + self.policy.max_elapsed_s
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(build, attempt)
            except _Retry as retry:
                if attempt >= self.policy.max_attempts:
                    raise TransientDeliveryError(
                        f"{retry} (gave up after {attempt} attempts)"
                    ) from None
                delay = retry.delay
                if delay > self.policy.max_retry_after_s or time.monotonic() + delay > deadline:
                    raise TransientDeliveryError(f"{retry} (retry time budget spent)") from None
                await self._sleep(delay)

    async def _attempt(self, build: BuildRequest, attempt: int) -> httpx.Response:
        body, headers = build()
        try:
            response = await self._get_client().post(self._url, content=body, headers=headers)
        except httpx.UnsupportedProtocol as exc:
            raise PermanentDeliveryError(f"{self._name}: unsupported URL scheme") from exc
        except httpx.TimeoutException as exc:
            raise _Retry(
                f"{self._name}: timeout ({type(exc).__name__})", self.policy.backoff(attempt)
            ) from exc
        except httpx.TransportError as exc:
            raise _Retry(
                f"{self._name}: connection error ({type(exc).__name__})",
                self.policy.backoff(attempt),
            ) from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status in RETRYABLE_STATUS or status >= 500:
            wait = _retry_after(response)
            raise _Retry(
                f"{self._name}: HTTP {status}",
                self.policy.backoff(attempt) if wait is None else wait,
            )
        raise PermanentDeliveryError(f"{self._name}: HTTP {status}: {_snippet(response)}")


class _Retry(TransientDeliveryError):
    def __init__(self, message: str, delay: float) -> None:
        super().__init__(message)
        self.delay = delay


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    # The receiver's explanation helps operators; cap it so a huge error page stays out of logs.
    text = response.text.strip().replace("\n", " ")
    return text[:limit] or response.reason_phrase
