"""`frontwire export` reading the embedded mode's alert history (SQLite under the state dir)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import orjson
from typer.testing import CliRunner

from services.alerting.history import HISTORY_FILE, SqliteAlertHistory
from services.cli import app
from tests.integration.alerting_api.server import ThreadedApi
from tests.unit.alerting_api.alerts import located_troops, mobilisation_alert, shells_alert


def state_with_history(state: Path) -> Path:
    now = time.time()
    history = SqliteAlertHistory(state / HISTORY_FILE)
    history.add(located_troops(alerted=now - 3600))
    history.add(shells_alert(alerted=now - 7200))
    history.add(mobilisation_alert(alerted=now - 3 * 86400))  # outside --since 24h
    history.close()
    return state


def export(state: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(app, ["export", *args], env={"FRONTWIRE_STATE_DIR": str(state)})
    return result.exit_code, result.stdout_bytes, result.stderr


def test_csv_to_a_file_holds_the_last_day(tmp_path: Path) -> None:
    state = state_with_history(tmp_path / "state")
    out = tmp_path / "events.csv"
    code, _, err = export(state, "--format", "csv", "--since", "24h", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [r["type"] for r in rows] == ["troop_deployment", "arms_transfer"]
    assert "2 event(s)" in err


def test_geojson_and_jsonl_to_standard_output_with_filters(tmp_path: Path) -> None:
    state = state_with_history(tmp_path / "state")
    code, out, err = export(state, "--format", "geojson", "--since", "7d")
    assert code == 0, err
    [feature] = orjson.loads(out)["features"]
    assert feature["geometry"]["coordinates"] == [36.19, 51.73]
    code, out, err = export(state, "--format", "jsonl", "--since", "7d", "--country", "pl")
    assert code == 0, err
    assert [orjson.loads(line)["type"] for line in out.splitlines()] == ["mobilisation"]


def test_bad_options_and_a_missing_history_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    code, _, err = export(missing, "--format", "csv")
    assert code == 2 and "no alert history at" in err
    assert not missing.exists()  # looked, created nothing
    state = state_with_history(tmp_path / "state")
    assert export(state, "--format", "xlsx")[0] == 2
    code, _, err = export(state, "--since", "yesterday")
    assert code == 2 and "--since" in err


def test_from_a_running_api(tmp_path: Path) -> None:
    now = time.time()
    alerts = [located_troops(alerted=now - 60), mobilisation_alert(alerted=now - 3 * 86400)]
    with ThreadedApi(alerts, token="cli-token") as api:
        result = CliRunner().invoke(
            app, ["export", "--url", api.url, "--format", "jsonl", "--since", "24h"],
            env={"FRONTWIRE_API_TOKEN": "cli-token", "FRONTWIRE_STATE_DIR": str(tmp_path)},
        )
        assert result.exit_code == 0, result.stderr
        assert [orjson.loads(line)["type"] for line in result.stdout_bytes.splitlines()] == [
            "troop_deployment"
        ]
        wrong = CliRunner().invoke(app, ["export", "--url", api.url, "--token", "wrong"])
        assert wrong.exit_code == 2 and "HTTP 401" in wrong.stderr
