"""`frontwire silences add|list|expire` against the real API server over HTTP."""

from __future__ import annotations

import time

from typer.testing import CliRunner

from services.alerting.silences_cli import silences_app
from tests.integration.alerting_api.server import ThreadedApi
from tests.unit.alerting_api.alerts import shells_alert, troops_alert

TOKEN = "cli-token"


def test_add_list_expire() -> None:
    runner = CliRunner()
    with ThreadedApi(token=TOKEN) as api:
        env = {"FRONTWIRE_API_URL": api.url, "FRONTWIRE_API_TOKEN": TOKEN}
        added = runner.invoke(
            silences_app,
            [
                "add",
                "--rule",
                "arms-transfer",
                "--country",
                "KP",
                "--duration",
                "90m",
                "--comment",
                "known shipment",
                "--created-by",
                "alice",
            ],
            env=env,
        )
        assert added.exit_code == 0, added.output
        silence_id = added.output.split()[0]
        assert "rule=arms-transfer country=KP" in added.output and "by alice" in added.output
        assert api.silences.silenced(shells_alert(), time.time()) is not None
        assert api.silences.silenced(troops_alert(), time.time()) is None

        listed = runner.invoke(silences_app, ["list"], env=env)
        assert listed.exit_code == 0 and silence_id in listed.output

        expired = runner.invoke(silences_app, ["expire", silence_id], env=env)
        assert expired.exit_code == 0 and "expired" in expired.output
        assert runner.invoke(silences_app, ["list"], env=env).output.strip() == "no silences"
        everything = runner.invoke(silences_app, ["list", "--all", "--json"], env=env)
        assert '"state": "expired"' in everything.output


def test_errors_are_reported_with_a_nonzero_exit() -> None:
    runner = CliRunner()
    with ThreadedApi(token=TOKEN) as api:
        no_matcher = runner.invoke(
            silences_app, ["add", "--url", api.url, "--token", TOKEN], catch_exceptions=False
        )
        assert no_matcher.exit_code == 1
        assert "HTTP 400: matchers: at least one matcher is required" in no_matcher.output
        wrong_token = runner.invoke(silences_app, ["list", "--url", api.url, "--token", "x"])
        assert wrong_token.exit_code == 1 and "HTTP 401" in wrong_token.output
        unknown = runner.invoke(
            silences_app, ["expire", "nope", "--url", api.url, "--token", TOKEN]
        )
        assert unknown.exit_code == 1 and "HTTP 404" in unknown.output
    down = runner.invoke(silences_app, ["list", "--url", api.url])  # the server is gone
    assert down.exit_code == 1 and "cannot reach" in down.output
