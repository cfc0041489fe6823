"""Every garbage collection a worker makes is timed, by generation (shared/gc_pauses.py)."""

from __future__ import annotations

import gc

from shared.gc_pauses import GC_PAUSE, watch_gc_pauses


def _count(service: str, generation: str) -> float:
    for family in GC_PAUSE.collect():
        for sample in family.samples:
            if (sample.name.endswith("_count") and sample.labels["service"] == service
                    and sample.labels["generation"] == generation):
                return sample.value
    return 0.0


def test_each_collection_is_observed_once_under_its_generation() -> None:
    try:
        watch_gc_pauses("gc-test")
        assert gc.get_freeze_count() > 0  # what the process held is out of the walks
        watch_gc_pauses("gc-test")  # a second call adds no second callback
        before = [_count("gc-test", str(g)) for g in range(3)]
        gc.collect(0)
        gc.collect(2)
        after = [_count("gc-test", str(g)) for g in range(3)]
    finally:
        gc.unfreeze()  # the test process collects as before
    assert after[0] - before[0] >= 1 and after[2] - before[2] >= 1
    assert after[2] - before[2] < 3  # once per collection, not once per callback
