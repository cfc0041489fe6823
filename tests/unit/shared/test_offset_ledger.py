"""The stage loops' own offset bookkeeping (shared/kafka/ledger.py)."""

from __future__ import annotations

from shared.kafka.ledger import OffsetLedger, Verdict

TP = ("alerts.candidates", 2)
OTHER = ("alerts.candidates", 3)


def started(committed: int = 10, generation: int = 1) -> OffsetLedger[tuple[str, int]]:
    ledger: OffsetLedger[tuple[str, int]] = OffsetLedger()
    ledger.start(TP, generation, committed, now=0.0)
    return ledger


def test_a_partition_is_unknown_until_its_assignment_starts() -> None:
    ledger: OffsetLedger[tuple[str, int]] = OffsetLedger()
    assert ledger.verdict(TP, 1, 0) is Verdict.UNKNOWN


def test_the_committed_offset_is_the_next_record_to_handle() -> None:
    ledger = started(committed=10)
    assert ledger.verdict(TP, 1, 10) is Verdict.HANDLE
    ledger.handled(TP, 10, now=1.0)
    assert ledger.verdict(TP, 1, 11) is Verdict.HANDLE


def test_a_record_past_the_next_one_reveals_a_gap_from_the_next_one() -> None:
    # The restarted alerting worker of the kill -9 test: committed 6, first record seen 24.
    ledger = started(committed=6)
    assert ledger.verdict(TP, 1, 24) is Verdict.GAP
    assert ledger.next_offset(TP) == 6


def test_a_record_handled_in_this_assignment_is_a_duplicate() -> None:
    # faust seeks its stream partitions back to the committed offset after table recovery,
    # so records the handler already took come round again.
    ledger = started(committed=2)
    for offset in (2, 3, 4):
        ledger.handled(TP, offset, now=1.0)
    assert [ledger.verdict(TP, 1, o) for o in (2, 3, 4, 5)] == [
        Verdict.DUPLICATE, Verdict.DUPLICATE, Verdict.DUPLICATE, Verdict.HANDLE,
    ]


def test_a_new_generation_takes_the_position_afresh() -> None:
    # After a rebalance the partition may have been another worker's meanwhile.
    ledger = started(committed=10, generation=1)
    ledger.handled(TP, 10, now=1.0)
    assert ledger.verdict(TP, 2, 30) is Verdict.UNKNOWN
    ledger.start(TP, 2, 30, now=2.0)
    assert ledger.verdict(TP, 2, 30) is Verdict.HANDLE


def test_only_moved_assigned_partitions_are_committable_and_once() -> None:
    ledger = started(committed=10)
    ledger.start(OTHER, 1, 5, now=0.0)
    assert ledger.committable([TP, OTHER]) == {}
    ledger.handled(TP, 10, now=1.0)
    ledger.handled(TP, 11, now=1.0)
    ledger.handled(OTHER, 5, now=1.0)
    assert ledger.committable([TP]) == {TP: 12}  # OTHER moved but is not assigned
    ledger.committed({TP: 12})
    assert ledger.committable([TP, OTHER]) == {OTHER: 6}


def test_a_commit_never_moves_the_committed_mark_back() -> None:
    ledger = started(committed=10)
    ledger.handled(TP, 10, now=1.0)
    ledger.committed({TP: 11})
    ledger.committed({TP: 9})
    assert ledger.committable([TP]) == {}


def test_handling_a_forgotten_partition_is_ignored() -> None:
    # A handler still running when its partition is revoked finishes after forget().
    ledger = started()
    ledger.forget([TP])
    ledger.handled(TP, 10, now=1.0)
    assert ledger.verdict(TP, 1, 10) is Verdict.UNKNOWN


def test_an_idle_stage_behind_its_log_end_has_stalled_partitions() -> None:
    ledger = started(committed=10)
    ledger.start(OTHER, 1, 5, now=0.0)
    ledger.handled(TP, 10, now=100.0)
    ends = {TP: 11, OTHER: 9}
    assert ledger.stalled(ends, now=102.0, after_s=5.0) == {}  # handled something recently
    assert ledger.stalled(ends, now=106.0, after_s=5.0) == {OTHER: 5}  # TP is at its end
