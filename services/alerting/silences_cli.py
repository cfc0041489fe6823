"""`frontwire silences …`: manage silences through the alerting API over HTTP."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import orjson
import typer

silences_app = typer.Typer(
    help="Silence alerts for a while (rule, event type, country, severity, actor).",
    no_args_is_help=True,
)

Url = Annotated[
    str, typer.Option("--url", envvar="FRONTWIRE_API_URL", help="Alerting API base URL")
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="FRONTWIRE_API_TOKEN", help="API bearer token"),
]
DEFAULT_URL = "http://127.0.0.1:8080"


def _request(method: str, url: str, token: str | None, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(method, url.rstrip("/") + path, headers=headers, timeout=10, **kw)
    except httpx.HTTPError as exc:
        typer.echo(f"frontwire: cannot reach {url}: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    if response.status_code >= 400:
        typer.echo(f"frontwire: HTTP {response.status_code}: {_error(response)}", err=True)
        raise typer.Exit(1)
    return response.json()


def _error(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text))
    except ValueError:
        return response.text[:200]


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _line(silence: dict[str, Any]) -> str:
    matchers = " ".join(f"{k}={v}" for k, v in silence["matchers"].items())
    comment = f"  # {silence['comment']}" if silence.get("comment") else ""
    return (
        f"{silence['id']}  {silence['state']:<7}  until {_when(silence['ends_at'])}  "
        f"{matchers}  by {silence['created_by']}{comment}"
    )


@silences_app.command("add")
def add(
    duration: Annotated[str, typer.Option(help="How long: 3600, 90m, 2h, 1d")] = "2h",
    rule: Annotated[str | None, typer.Option(help="Rule name")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Event type")] = None,
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 (actor or location)")] = None,
    severity: Annotated[str | None, typer.Option(help="info | warning | critical")] = None,
    actor: Annotated[str | None, typer.Option(help="Actor name or code")] = None,
    comment: Annotated[str, typer.Option(help="Why")] = "",
    created_by: Annotated[str | None, typer.Option(help="Who (default: $USER)")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Add a silence; every given matcher must be equal for an alert to be muted."""
    matchers = {
        "rule": rule,
        "event_type": event_type,
        "country": country,
        "severity": severity,
        "actor": actor,
    }
    body = {
        "matchers": {k: v for k, v in matchers.items() if v is not None},
        "duration": duration,
        "created_by": created_by or getpass.getuser(),
        "comment": comment,
    }
    typer.echo(_line(_request("POST", url, token, "/api/silences", json=body)))


@silences_app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include expired silences")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Active and pending silences (and expired ones with --all)."""
    params = {"all": "true"} if all_ else {}
    found = _request("GET", url, token, "/api/silences", params=params)["silences"]
    if as_json:
        typer.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    if not found:
        typer.echo("no silences")
    for silence in found:
        typer.echo(_line(silence))


@silences_app.command("expire")
def expire(
    silence_id: Annotated[str, typer.Argument(help="Silence id (from `list`)")],
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """End a silence now (it stays listed with --all)."""
    silence = _request("DELETE", url, token, f"/api/silences/{silence_id}")
    typer.echo(_line(silence))
