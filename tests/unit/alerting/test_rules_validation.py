"""Invalid rule files refuse to load, naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerting.rules import RuleError, RuleSet

GOOD_RULE = """\
version: 1
rules:
  - name: big
    severity: critical
    match:
      event_types: [troop_deployment]
"""


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> RuleError:
    with pytest.raises(RuleError) as info:
        RuleSet.load(path)
    return info.value


def test_good_file_loads(tmp_path: Path) -> None:
    rules = RuleSet.load(write(tmp_path, GOOD_RULE))
    assert [r.name for r in rules] == ["big"]
    assert rules.rules[0].routes == ("console", "webhook")


def test_misspelt_field_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE + "      min_quantiy: 1000\n")
    err = load_error(path)
    assert (err.file, err.line, err.field) == (str(path), 7, "rules[0].match.min_quantiy")
    assert str(err).startswith(f"{path}:7: rules[0].match.min_quantiy: ")
    assert "not permitted" in str(err)


def test_bad_severity(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, GOOD_RULE.replace("critical", "urgent")))
    assert (err.line, err.field) == (4, "rules[0].severity")


def test_unknown_event_type_lists_known_ones(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("[troop_deployment]", "[troop_deployment, troop_deploymnt]")
    err = load_error(write(tmp_path, text))
    assert (err.line, err.field) == (6, "rules[0].match.event_types")
    assert "troop_deploymnt" in err.problem and "mobilisation" in err.problem


def test_missing_field_points_at_its_rule(tmp_path: Path) -> None:
    text = "rules:\n  - name: a\n    severity: info\n    match: {event_types: [attack]}\n"
    text += "  - name: b\n    match: {event_types: [attack]}\n"
    err = load_error(write(tmp_path, text))
    assert (err.line, err.field) == (5, "rules[1].severity")
    assert "required" in err.problem.lower()


def test_wrong_type_in_nested_list(tmp_path: Path) -> None:
    text = GOOD_RULE + "      actors:\n        - KP\n        - {actor: RU, rol: recipient}\n"
    err = load_error(write(tmp_path, text))
    assert (err.line, err.field) == (9, "rules[0].match.actors[1].rol")


def test_negative_quantity_and_bad_country(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, GOOD_RULE + "      min_quantity: -5\n"))
    assert (err.line, err.field) == (7, "rules[0].match.min_quantity")
    err = load_error(write(tmp_path, GOOD_RULE + "      countries: [KP, Korea]\n"))
    assert (err.line, err.field) == (7, "rules[0].match.countries")
    assert "alpha-2" in err.problem


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, GOOD_RULE + "    routes: [console\n"))
    assert err.line >= 7 and err.field == ""
    assert "invalid YAML" in err.problem


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, GOOD_RULE + "    severity: info\n"))
    assert err.line == 7 and "duplicate key" in err.problem


def test_duplicate_rule_name_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD_RULE, "a.yaml")
    second = write(tmp_path, "rules:\n\n" + GOOD_RULE.split("rules:\n", 1)[1], "b.yaml")
    with pytest.raises(RuleError) as info:
        RuleSet.load(first, second)
    err = info.value
    assert (err.file, err.line, err.field) == (str(second), 3, "name")
    assert f"{first}:3" in err.problem


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, ""))
    assert err.line == 1 and err.field == "<root>"
    err = load_error(write(tmp_path, "- just\n- a list\n"))
    assert err.line == 1


def test_invalid_rule_name_and_conflicting_statuses(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, GOOD_RULE.replace("name: big", "name: Big Rule")))
    assert (err.line, err.field) == (3, "rules[0].name")
    text = GOOD_RULE + "      statuses: [denied]\n      exclude_statuses: [denied]\n"
    err = load_error(write(tmp_path, text))
    assert err.field == "rules[0].match" and "both" in err.problem


def test_unreadable_file(tmp_path: Path) -> None:
    err = load_error(tmp_path / "missing.yaml")
    assert "cannot read" in err.problem


def test_default_pack_loads() -> None:
    rules = list(RuleSet.default())
    assert [r.name for r in rules] == [
        "large-troop-deployment", "troop-deployment", "mobilisation", "arms-transfer",
        "arms-transfer-reported", "mass-casualties", "casualties", "large-attack", "attack",
        "defence-pact", "support-pledge", "diplomatic-contact"]
    assert all(not r.continue_ for r in rules)  # each event graded once
    critical = [r for r in rules if r.severity == "critical"]
    assert all(len(r.roles) >= 1 and r.min_quantity for r in critical)  # named and counted


def test_roles_and_directions_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  - name: x\n    severity: info\n    match:\n"
                    "      event_types: [attack]\n      roles: [shooter]\n")
    with pytest.raises(RuleError, match="roles"):
        RuleSet.load(path)
    path.write_text("rules:\n  - name: x\n    severity: info\n    continue: false\n"
                    "    match:\n      event_types: [troop_deployment]\n"
                    "      directions: [withdraw]\n      roles: [sender]\n")
    [rule] = RuleSet.load(path)
    assert rule.directions == ("withdraw",) and rule.roles == ("sender",)
    assert not rule.continue_
