"""RuleSetHolder (reload keeps the old rules on a broken file) and the token bucket."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerting.reload import RuleSetHolder
from services.alerting.rules import RuleError, RuleSet
from services.alerting.sinks.ratelimit import TokenBucket

RULE = (
    "version: 1\nrules:\n  - name: {name}\n    severity: info\n    match:\n"
    "      event_types: [attack]\n"
)
BROKEN = (
    "version: 1\nrules:\n  - name: typo\n    severity: info\n    match:\n"
    "      event_types: [attack]\n      min_quantiy: 5\n"
)


def test_reload_keeps_old_rules_on_a_broken_file_and_applies_a_good_one(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE.format(name="first"), encoding="utf-8")
    stamps = {path: 1.0}
    holder = RuleSetHolder([path], stat=lambda p: stamps[p])
    seen: list[RuleSet] = []
    holder.subscribe(seen.append)
    assert not holder.changed()

    path.write_text(BROKEN, encoding="utf-8")
    stamps[path] = 2.0
    assert holder.changed()
    assert holder.reload_if_changed() is False
    assert [r.name for r in holder.current] == ["first"]
    assert holder.last_error is not None
    assert str(holder.last_error).startswith(f"{path}:7: rules[0].match.min_quantiy:")
    assert not holder.changed() and seen == []  # not retried until the file changes again

    path.write_text(RULE.format(name="second"), encoding="utf-8")
    stamps[path] = 3.0
    assert holder.reload_if_changed() is True
    assert [r.name for r in holder.current] == ["second"] and holder.last_error is None
    assert seen == [holder.current]


def test_a_broken_pack_still_stops_start_up(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RuleError):
        RuleSetHolder([path])


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=2)
    assert bucket.take(0.0) and bucket.take(0.0)
    assert not bucket.take(0.0) and bucket.wait(0.0) == pytest.approx(1.0)
    assert bucket.wait(0.5) == pytest.approx(0.5)
    assert bucket.take(1.0) and not bucket.take(1.0)
    assert bucket.take(10.0) and bucket.take(10.0) and not bucket.take(10.0)  # capped at burst
