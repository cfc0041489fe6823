"""frontwire's one error tree: every exception the project raises on purpose is a FrontwireError.

::

    FrontwireError
    ├── ConfigError            a settings, rules, sources, sinks or model file frontwire cannot use
    │     SettingsError, RuleError, YamlError, SourcesError, SinkConfigError, ModelError
    ├── InputError             untrusted input that cannot be used (a stranger's bytes)
    │     Unusable (cleaner), FeedError, ParseTimeout, ParseCrash, CodecError, BodyTooLarge,
    │     UnsupportedEncoding, TooLarge and BadPush (pushed bodies), UnreadableInput (local files),
    │     SilenceError, ApiError
    ├── FetchError             one HTTP fetch failed; ``kind`` is its metric label
    │   ├── FetchTimeout           "timeout"
    │   ├── DnsFailed              "dns"        (guard: ResolveFailed)
    │   ├── TlsFailed              "tls"
    │   ├── ConnectFailed          "connect"
    │   ├── HttpStatusError
    │   │   ├── ClientStatus       "http_4xx"
    │   │   └── ServerStatus       "http_5xx"
    │   ├── ResponseTooLarge       "too_large"
    │   ├── UnacceptedContent      "content_type"
    │   ├── FetchRefused           "ssrf"       (guard: SsrfRefused)
    │   ├── TooManyRedirects       "redirects"
    │   └── HostBackingOff         "backoff"    (host gates: HostBlocked)
    ├── DeliveryError          a sink could not deliver an alert
    │   ├── TransientDeliveryError     trying again later may work
    │   └── PermanentDeliveryError     it will not
    ├── StateError             a state file frontwire cannot use (StateFileError)
    └── UnavailableError       refused for now: full or shutting down
          TooManySubscribers, SubscriptionClosed

The leaves named in lower lines live next to the code that raises them and subclass the branch
here (keeping the builtin base, e.g. ``ValueError``, that callers catch them as). Library errors
(httpx, feedparser, sqlite3, yaml, orjson) are translated into this tree at the edge where the
project already catches them; a FrontwireError never wraps a secret or a URL's credentials.

The fetch leaves are defined here, so the kinds (Prometheus label values of
``frontwire_fetcher_errors_total`` and ``frontwire_fetches_total``) are listed in one place:
`fetch_error` builds the right class from a kind, `FETCH_KINDS` is the label set.
"""

from __future__ import annotations

from typing import ClassVar


class FrontwireError(Exception):
    """The root: ``except FrontwireError`` catches every error frontwire raises on purpose."""


class ConfigError(FrontwireError):
    """A settings, rules, sources, sinks or model file frontwire cannot use."""


class InputError(FrontwireError):
    """Untrusted input that cannot be used: a page, feed, payload or request."""


class StateError(FrontwireError):
    """A state file (SQLite, RocksDB folder) frontwire cannot use."""


class UnavailableError(FrontwireError):
    """A part of frontwire refuses work for now (full, shutting down)."""


# -- delivery ------------------------------------------------------------------------------


class DeliveryError(FrontwireError):
    """Base of delivery failures. Messages never contain URLs or secrets."""


class TransientDeliveryError(DeliveryError):
    """Trying again later might work (timeouts, 5xx, 429 after the sink's own retries)."""


class PermanentDeliveryError(DeliveryError):
    """Trying again will not work (a 4xx, a bad URL)."""


# -- fetch ---------------------------------------------------------------------------------


class FetchError(FrontwireError):
    """One fetch failed. ``kind`` (a class attribute of each leaf) is its metric label;
    ``url`` is empty when raised below the fetcher (the guard, the host gates), which
    re-raises it with the URL."""

    kind: ClassVar[str] = ""
    # Says something about the host's health: feeds back-off and the circuit breaker.
    host_failure: ClassVar[bool] = False

    def __init__(
        self, message: str, *, url: str = "", status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.message, self.url, self.status, self.retry_after_s = (
            message, url, status, retry_after_s,
        )
        super().__init__(f"{self.kind}: {message} ({url})" if url else f"{self.kind}: {message}")

    @property
    def transient(self) -> bool:
        """Worth retrying later (as opposed to a 404, a wrong type, a refused address ...)."""
        return self.host_failure or self.kind == "backoff" or self.status in (408, 429)


class FetchTimeout(FetchError):
    kind = "timeout"
    host_failure = True


class DnsFailed(FetchError):
    kind = "dns"
    host_failure = True


class TlsFailed(FetchError):
    kind = "tls"
    host_failure = True


class ConnectFailed(FetchError):
    kind = "connect"
    host_failure = True


class HttpStatusError(FetchError):
    """The server answered with an error status (``status``)."""


class ClientStatus(HttpStatusError):
    kind = "http_4xx"


class ServerStatus(HttpStatusError):
    kind = "http_5xx"
    host_failure = True


class ResponseTooLarge(FetchError):
    kind = "too_large"


class UnacceptedContent(FetchError):
    kind = "content_type"


class FetchRefused(FetchError):
    """Refused by the SSRF guard: not http(s), a non-public address, a port not allowed."""

    kind = "ssrf"


class TooManyRedirects(FetchError):
    """Too many redirects, or a redirect without a Location."""

    kind = "redirects"


class HostBackingOff(FetchError):
    """The host is backing off after failures, or its circuit is open."""

    kind = "backoff"


FETCH_ERRORS: dict[str, type[FetchError]] = {
    cls.kind: cls
    for cls in (FetchTimeout, DnsFailed, TlsFailed, ConnectFailed, ClientStatus, ServerStatus,
                ResponseTooLarge, UnacceptedContent, FetchRefused, TooManyRedirects,
                HostBackingOff)
}
FETCH_KINDS = frozenset(FETCH_ERRORS)
HOST_FAILURE_KINDS = frozenset(k for k, cls in FETCH_ERRORS.items() if cls.host_failure)


def fetch_error(
    kind: str, message: str, *, url: str = "", status: int | None = None,
    retry_after_s: float | None = None,
) -> FetchError:
    """The FetchError leaf for ``kind`` (one of FETCH_KINDS); KeyError for any other kind."""
    return FETCH_ERRORS[kind](message, url=url, status=status, retry_after_s=retry_after_s)
