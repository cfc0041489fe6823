"""The one error tree (shared/errors.py): every project exception is a FrontwireError, and the
FetchError leaves keep the metric label values the kind strings had."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import services
import shared
from shared import errors
from shared.errors import (
    FETCH_ERRORS,
    FETCH_KINDS,
    HOST_FAILURE_KINDS,
    FetchError,
    FrontwireError,
    fetch_error,
)

# The label values of frontwire_fetcher_errors_total / frontwire_fetches_total before the
# kinds became classes: dashboards and alerts depend on them.
OLD_KINDS = {"timeout", "dns", "tls", "connect", "http_4xx", "http_5xx", "too_large",
             "content_type", "ssrf", "redirects", "backoff"}
OLD_HOST_FAILURES = {"timeout", "dns", "tls", "connect", "http_5xx"}


def _project_modules() -> list[ModuleType]:
    modules = []
    for package in (services, shared):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            modules.append(importlib.import_module(info.name))
    return modules


def test_every_project_exception_is_a_frontwire_error() -> None:
    """A new exception class anywhere in services/ or shared/ must join the tree."""
    found, outside = [], []
    for module in _project_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, BaseException):
                continue
            found.append(f"{module.__name__}.{name}")
            if not issubclass(cls, FrontwireError):
                outside.append(f"{module.__name__}.{name}")
    assert not outside, f"not under shared.errors.FrontwireError: {outside}"
    assert len(found) >= 25  # the walk really saw the project's classes


def test_builtin_bases_kept_where_callers_catch_them() -> None:
    from services.alerting.rules import RuleError
    from services.enricher.nlp import ModelError
    from services.fetcher.feed_records import FeedError
    from shared.codec import CodecError
    from shared.settings import SettingsError
    from shared.sqlite import StateFileError

    for cls in (RuleError, FeedError, CodecError, SettingsError):
        assert issubclass(cls, ValueError), cls
    for cls in (ModelError, StateFileError):
        assert issubclass(cls, RuntimeError), cls


def test_branches() -> None:
    from services.alerting.sinks.base import PermanentDeliveryError, TransientDeliveryError
    from services.cleaner import Unusable
    from services.fetcher.sources import SourcesError
    from shared.codec import CodecError
    from shared.settings import SettingsError
    from shared.sqlite import StateFileError

    assert issubclass(Unusable, errors.InputError)
    assert issubclass(CodecError, errors.InputError)
    assert issubclass(SettingsError, errors.ConfigError)
    assert issubclass(SourcesError, errors.ConfigError)
    assert issubclass(StateFileError, errors.StateError)
    assert TransientDeliveryError is errors.TransientDeliveryError
    assert PermanentDeliveryError is errors.PermanentDeliveryError
    assert issubclass(TransientDeliveryError, errors.DeliveryError)


def test_fetch_kinds_are_the_old_metric_labels() -> None:
    assert FETCH_KINDS == OLD_KINDS
    assert HOST_FAILURE_KINDS == OLD_HOST_FAILURES
    from services.fetcher.http import HOST_FAILURES, KINDS

    assert KINDS == OLD_KINDS and HOST_FAILURES == OLD_HOST_FAILURES
    leaves = {cls for cls in _subclasses(FetchError) if cls.kind}
    assert {cls.kind for cls in leaves} == OLD_KINDS


@pytest.mark.parametrize("kind", sorted(OLD_KINDS))
def test_fetch_error_from_kind(kind: str) -> None:
    exc = fetch_error(kind, "it failed", url="https://example.com/a")
    assert type(exc) is FETCH_ERRORS[kind]
    assert isinstance(exc, FetchError) and isinstance(exc, FrontwireError)
    assert exc.kind == kind
    assert str(exc) == f"{kind}: it failed (https://example.com/a)"  # as before


@pytest.mark.parametrize("kind", sorted(OLD_KINDS))
@pytest.mark.parametrize("status", [None, 404, 408, 429, 503])
def test_transient_as_before(kind: str, status: int | None) -> None:
    exc = fetch_error(kind, "x", url="u", status=status)
    assert exc.transient == (kind in OLD_HOST_FAILURES or kind == "backoff"
                             or status in (408, 429))


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(KeyError):
        fetch_error("robots", "x", url="u")


def test_guard_and_gate_errors_are_fetch_leaves() -> None:
    from services.fetcher.guard import ResolveFailed, SsrfRefused
    from services.fetcher.hosts import HostBlocked

    assert SsrfRefused("address 10.0.0.1 is not public").kind == "ssrf"
    assert ResolveFailed("nowhere.invalid: no addresses").kind == "dns"
    blocked = HostBlocked("example.com", 3.0, 5)
    assert blocked.kind == "backoff" and blocked.transient
    assert "circuit open" in str(blocked) and blocked.host == "example.com"


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out
