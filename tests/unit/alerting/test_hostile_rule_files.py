"""Hostile rule files are refused with file, line and reason — an alias bomb without building
it, a self-referencing alias without a RecursionError, a non-scalar key without a TypeError —
and a holder with good rules keeps them when a reload meets any of these."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerting._yaml import MAX_NODES
from services.alerting.reload import RuleSetHolder
from services.alerting.rules import RuleError, RuleSet

GOOD = """\
rules:
  - name: troops
    severity: warning
    match:
      event_types: [troop_deployment]
"""


def alias_bomb(levels: int = 9) -> str:
    """Nine levels of nine aliases each: 9**9 values once expanded, under 500 bytes."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\nrules: []\n"


HOSTILE = {
    "bomb": (alias_bomb(), 6, "alias bomb"),  # l5 = 9**6 values: past the budget
    "recursive": ("rules: &r\n  - name: x\n    match: *r\n", 1, "recursive alias"),
    "unhashable": ("rules:\n  - name: x\n    match:\n      ? [a, b]\n      : 1\n", 4,
                   "mapping key"),
    "deep": ("rules: " + "[" * 50_000, 1, "nested"),
}


def test_the_bomb_is_small_and_would_expand_far_past_the_budget() -> None:
    assert len(alias_bomb()) < 500 and 1000 * MAX_NODES < 9**9


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_rule_file_is_refused_with_file_line_and_reason(
    name: str, tmp_path: Path,
) -> None:
    text, line, reason = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(RuleError) as caught:
        RuleSet.load(path)
    assert caught.value.file == str(path)
    assert caught.value.line == line
    assert reason in caught.value.problem


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_reload_into_a_hostile_file_keeps_the_old_rules(name: str, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)
    holder = RuleSetHolder([path])
    before = holder.current
    path.write_text(HOSTILE[name][0])
    assert holder.reload() is False
    assert holder.current is before
    assert holder.last_error is not None and str(path) in str(holder.last_error)


def test_a_reload_that_raises_anything_keeps_the_old_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)
    calls = []

    def loader(*paths: Path) -> RuleSet:
        calls.append(paths)
        if len(calls) > 1:
            raise MemoryError("the loader ran out of memory")
        return RuleSet.load(*paths)

    holder = RuleSetHolder([path], loader=loader)
    assert holder.reload() is False and len(holder.current) == 1
    assert "MemoryError" in str(holder.last_error)
