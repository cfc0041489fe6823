"""ReplicatedFetchState: in-memory fetch state whose writes are published and whose topic records
are applied; two instances joined by a list standing in for the compacted topic."""

from __future__ import annotations

import orjson

from services.fetcher.local_state import FetchState
from services.fetcher.replicated_state import ReplicatedFetchState

Log = list[tuple[str, bytes | None]]


class Clock:
    def __init__(self, now: float = 1_752_480_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _state(log: Log, clock: Clock | None = None, **kwargs: object) -> ReplicatedFetchState:
    def publish(key: str, value: bytes | None) -> None:
        log.append((key, value))

    return ReplicatedFetchState(publish, clock=clock or Clock(), **kwargs)  # type: ignore[arg-type]


def _replay(log: Log, into: ReplicatedFetchState) -> None:
    for key, value in log:
        into.apply(key.encode(), value)


def test_protocol_and_round_trip() -> None:
    log: Log = []
    state = _state(log)
    assert isinstance(state, FetchState)
    assert not state.seen("k")
    state.add("k")
    assert state.seen("k")
    assert state.get_validators("u") is None
    state.put_validators("u", '"v1"', None)
    assert state.get_validators("u") == ('"v1"', None)
    state.put_validators("u", None, "Mon, 14 Jul 2025 09:30:00 GMT")
    assert state.get_validators("u") == (None, "Mon, 14 Jul 2025 09:30:00 GMT")
    state.put_validators("u", None, None)
    assert state.get_validators("u") is None


def test_writes_are_published_with_topic_keys() -> None:
    log: Log = []
    state = _state(log)
    state.add("abc")
    state.add("skip:def")
    state.put_validators("https://x.example/feed", '"e"', "lm")
    state.put_validators("https://x.example/gone", None, None)
    keys = [k for k, _ in log]
    assert keys == ["s:abc", "s:skip:def", "v:https://x.example/feed", "v:https://x.example/gone"]
    value = orjson.loads(log[2][1] or b"")
    assert (value["etag"], value["last_modified"]) == ('"e"', "lm")
    assert log[3][1] is None  # a tombstone: compaction drops the key


def test_another_instance_takes_over_from_the_topic() -> None:
    log: Log = []
    leader = _state(log)
    leader.add("a1")
    leader.add("skip:a2")
    leader.put_validators("u", '"v1"', None)
    leader.put_validators("u", '"v2"', "lm2")  # the latest record of a key wins
    follower = _state([])
    _replay(log, follower)
    assert follower.seen("a1") and follower.seen("skip:a2") and not follower.seen("a2")
    assert follower.get_validators("u") == ('"v2"', "lm2")
    leader.put_validators("u", None, None)
    _replay(log[-1:], follower)
    assert follower.get_validators("u") is None


def test_applying_own_echo_is_harmless() -> None:
    log: Log = []
    clock = Clock()
    state = _state(log, clock)
    state.put_validators("u", '"v1"', None)
    clock.now += 1
    state.put_validators("u", '"v2"', None)
    _replay(log, state)  # the echo of v1 arrives after v2 was written locally
    assert state.get_validators("u") == ('"v2"', None)
    state.add("k")
    _replay(log, state)
    assert state.seen("k")


def test_bad_and_unknown_records_are_ignored() -> None:
    state = _state([])
    state.apply(None, b"1")
    state.apply(b"x:other", b"{}")
    state.apply(b"v:u", b'{"etag": null, "last_modified": null}')
    state.apply(b"s:plain", b"1")  # a bare 1: seen, written at an unknown time
    assert state.get_validators("u") is None
    assert state.seen("plain")
    state.apply(b"s:plain", None)
    assert not state.seen("plain")


def test_seen_keys_are_a_bounded_lru() -> None:
    state = _state([], max_seen=3)
    for key in ("a", "b", "c"):
        state.add(key)
    assert state.seen("a")  # a is now the most recently used
    state.add("d")
    assert not state.seen("b")
    assert all(state.seen(k) for k in ("a", "c", "d"))
    state.apply(b"s:e", b"1")
    assert not state.seen("a") and state.seen("e")  # a was the least recently used


def test_keys_in_use_are_republished_before_retention_drops_them() -> None:
    log: Log = []
    clock = Clock()
    state = _state(log, clock, refresh_s=100.0)
    state.add("k")
    state.put_validators("u", '"e"', None)
    clock.now += 50
    assert state.seen("k") and state.get_validators("u") == ('"e"', None)
    assert len(log) == 2  # fresh enough: nothing re-sent
    clock.now += 60
    assert state.seen("k") and state.get_validators("u") == ('"e"', None)
    assert [k for k, _ in log[2:]] == ["s:k", "v:u"]
    assert state.seen("k") and len(log) == 4  # touched once, not on every read
