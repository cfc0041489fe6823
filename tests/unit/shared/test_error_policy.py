"""The handler error policy (shared/policy.py) and the stage loop that carries it out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from shared.errors import InputError, StateError, TransientDeliveryError
from shared.kafka import stage as stage_module
from shared.kafka.stage import Emit, StageLoop
from shared.policy import DEAD_LETTER, DEFAULT_POLICY, STOP, Action, Decision, ErrorPolicy


def test_default_dead_letters_everything_at_once() -> None:
    for exc in (ValueError("x"), InputError("x"), TransientDeliveryError("x"), KeyError(1)):
        assert DEFAULT_POLICY.decide(exc, 1) == DEAD_LETTER
    assert ErrorPolicy() == DEFAULT_POLICY


def test_retry_is_bounded_with_exponential_backoff() -> None:
    policy = ErrorPolicy(retry=(TransientDeliveryError,), max_attempts=4, backoff_s=0.5,
                         backoff_max_s=1.5)
    exc = TransientDeliveryError("timeout")
    assert [policy.decide(exc, n) for n in (1, 2, 3)] == [
        Decision(Action.RETRY, 0.5), Decision(Action.RETRY, 1.0), Decision(Action.RETRY, 1.5),
    ]
    assert policy.decide(exc, 4) == DEAD_LETTER  # attempts spent
    assert policy.decide(ValueError("poison"), 1) == DEAD_LETTER  # not a retried type


def test_stop_wins() -> None:
    policy = ErrorPolicy(retry=(Exception,), stop=(StateError,))
    assert policy.decide(StateError("disk"), 1) == STOP
    assert policy.decide(RuntimeError("x"), 1).action is Action.RETRY


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert ErrorPolicy(backoff_max_s=7.0).delay(10_000) == 7.0


@pytest.mark.parametrize("bad", [dict(max_attempts=0), dict(backoff_s=-1.0)])
def test_invalid_policies_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ErrorPolicy(**bad)


# -- the stage loop with fakes -----------------------------------------------------------


@dataclass
class _Message:
    key: bytes | None = b"k"
    value: bytes = b"v"
    topic: str = "in"
    partition: int = 0
    offset: int = 7


class _Topic:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, bytes]] = []

    async def send(self, *, key: Any, value: bytes) -> Any:
        self.sent.append((key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class _Keeper:
    def __init__(self) -> None:
        self.deliveries: list[Any] = []

    def sent(self, delivery: Any) -> None:
        self.deliveries.append(delivery)


class _App:
    def __init__(self) -> None:
        self.crashed_with: BaseException | None = None

    async def crash(self, exc: BaseException) -> None:
        self.crashed_with = exc


def _loop(monkeypatch: pytest.MonkeyPatch, policy: ErrorPolicy | None = None
          ) -> tuple[StageLoop, _Topic, _Topic, list[float], _App]:
    keeper = _Keeper()
    monkeypatch.setattr(stage_module.OffsetKeeper, "of", classmethod(lambda cls, app: keeper))
    out, deadletter, slept, app = _Topic(), _Topic(), [], _App()

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    kwargs: dict[str, Any] = {"sleep": sleep}
    if policy is not None:
        kwargs["policy"] = policy
    loop = StageLoop(app, "test", source=None, deadletter=deadletter, **kwargs)  # type: ignore[arg-type]
    return loop, out, deadletter, slept, app


def _flaky(out: _Topic, failures: list[BaseException]) -> Any:
    calls = []

    async def handle(key: bytes | None, value: bytes) -> list[Emit]:
        calls.append(value)
        if failures:
            raise failures.pop(0)
        return [Emit(out, b"k", value + b"!")]

    handle.calls = calls  # type: ignore[attr-defined]
    return handle


def test_stage_loop_default_dead_letters_at_first_error(monkeypatch: pytest.MonkeyPatch) -> None:
    loop, out, deadletter, slept, app = _loop(monkeypatch)
    handle = _flaky(out, [TransientDeliveryError("timeout")])
    asyncio.run(loop._one(handle, _Message()))
    assert handle.calls == [b"v"] and slept == []
    assert len(deadletter.sent) == 1 and out.sent == []
    assert app.crashed_with is None


def test_stage_loop_retries_then_emits(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = ErrorPolicy(retry=(TransientDeliveryError,), max_attempts=3, backoff_s=0.1)
    loop, out, deadletter, slept, _ = _loop(monkeypatch, policy)
    handle = _flaky(out, [TransientDeliveryError("a"), TransientDeliveryError("b")])
    asyncio.run(loop._one(handle, _Message()))
    assert handle.calls == [b"v"] * 3 and slept == [0.1, 0.2]
    assert out.sent == [(b"k", b"v!")] and deadletter.sent == []


def test_stage_loop_dead_letters_when_retries_are_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = ErrorPolicy(retry=(TransientDeliveryError,), max_attempts=2, backoff_s=0.0)
    loop, out, deadletter, _, _ = _loop(monkeypatch, policy)
    handle = _flaky(out, [TransientDeliveryError("a"), TransientDeliveryError("b")])
    asyncio.run(loop._one(handle, _Message()))
    assert len(handle.calls) == 2 and len(deadletter.sent) == 1 and out.sent == []


def test_stage_loop_stop_crashes_and_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    loop, out, deadletter, _, app = _loop(monkeypatch, ErrorPolicy(stop=(StateError,)))
    error = StateError("state file gone")
    with pytest.raises(StateError):
        asyncio.run(loop._one(_flaky(out, [error]), _Message()))
    assert app.crashed_with is error and deadletter.sent == [] and out.sent == []
