"""The `frontwire` command."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from services.alerting.export_cli import export
from services.alerting.silences_cli import silences_app
from shared.settings import SERVICES, Settings, SettingsError, load_settings

app = typer.Typer(
    help=(
        "frontwire: real-time news intelligence on military developments.\n\n"
        "Fetch news, clean it, find troop deployments, arms transfers, casualties and other "
        "military events, and alert on them. `run` does it all in one process; `worker` runs "
        "one service over Apache Kafka. Settings come from FRONTWIRE_* environment variables "
        "or the YAML file named by FRONTWIRE_CONFIG (see README)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Check rule files and try them on articles.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(silences_app, name="silences", help="Silence alerts through the alerting API.")
app.command("export")(export)

Paths = Annotated[list[str], typer.Argument(help="Files (HTML, text dumps, JSONL; .gz ok) or -")]


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(f"frontwire: {exc}", err=True)
        raise typer.Exit(2) from None


def _exposure(settings: Settings, services: tuple[str, ...]) -> None:
    from shared.web_guard import check_exposure

    try:
        check_exposure(settings, services)
    except SettingsError as exc:
        typer.echo(f"frontwire: {exc}", err=True)
        raise typer.Exit(2) from None


def _logging(settings: Settings) -> None:
    from shared.observability import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)


@app.command()
def run(
    feeds: Annotated[
        Path | None, typer.Option(help="Sources YAML (default: packaged list)")
    ] = None,
    once: Annotated[bool, typer.Option(help="Poll every source once, then exit")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Alerts (stdout) and logs (stderr) as JSON lines, even on a terminal"
    )] = False,
) -> None:
    """Embedded mode: watch the feeds and run all four stages in this process (no Kafka).

    On a terminal, one coloured line per alert and human log lines; JSON lines otherwise."""
    from services.embedded import run_embedded
    from shared.sqlite import StateFileError

    overrides: dict[str, Any] = {"feeds_file": feeds} if feeds else {}
    if as_json:
        overrides |= {"console_format": "json", "log_json": True}
    settings = _settings(**overrides)
    # Embedded mode serves the API and, unless --once, the fetcher's push/WebSub endpoints.
    _exposure(settings, ("alerting",) if once else ("alerting", "fetcher"))
    _logging(settings)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a user stops it
            asyncio.run(run_embedded(settings, once=once))
    except (StateFileError, SettingsError) as exc:  # which file or setting: no traceback
        typer.echo(f"frontwire: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def replay(
    paths: Paths,
    deliver: Annotated[
        bool, typer.Option(help="Also deliver to the configured sinks (webhook, Slack...)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print alerts as JSON lines")] = False,
) -> None:
    """Feed local files through the whole pipeline and print the alerts they raise."""
    from services.embedded import embedded_pipeline
    from services.local_files import UnreadableInput, read_inputs
    from shared.records import Tick

    settings = _settings()
    _logging(settings)
    pipeline = embedded_pipeline(settings, persistent=False)
    until = None if deliver else "decide"  # without --deliver, stop before the sinks

    async def go() -> int:
        count = 0
        try:
            for _, raw in read_inputs(paths):
                count += _print_routed(await pipeline.send("dedup", raw, until=until), as_json)
            # Groups that rules hold for a while (group_wait) go out at the end of a replay.
            released = await pipeline.send("decide", Tick(float("inf")), until=until)
            count += _print_routed(released, as_json)
        finally:
            await pipeline.aclose()
        return count

    try:
        count = asyncio.run(go())
    except UnreadableInput as exc:
        typer.echo(f"frontwire: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{count} alert(s)", err=True)


def _print_routed(items: list[Any], as_json: bool) -> int:
    """Print the alerts of a replay (routed ones, or delivered ones with --deliver)."""
    from shared.records import RoutedAlert

    count = 0
    for item in items:
        if isinstance(item, RoutedAlert):
            if item.resend:
                continue  # the same report again: not a new alert
            item = item.alert
        _print_alert(item, as_json)
        count += 1
    return count


def _print_alert(alert: Any, as_json: bool) -> None:
    """The alert as the console sink shows one: the coloured line on a terminal, else one
    plain line; both made safe for a terminal (article text is untrusted)."""
    from services.alerting.sinks.console import alert_line, is_terminal, terminal_console
    from services.alerting.sinks.stdout import format_text
    from shared.codec import to_dict

    if as_json:
        sys.stdout.buffer.write(orjson.dumps(to_dict(alert)) + b"\n")
    elif is_terminal(sys.stdout):
        terminal_console(sys.stdout).print(alert_line(alert))
    else:
        typer.echo(format_text(alert))
    sys.stdout.flush()


@app.command()
def worker(
    service: Annotated[str, typer.Argument(help="fetcher, cleaner, enricher or alerting")],
) -> None:
    """Distributed mode: run one service as a faust worker over Apache Kafka."""
    if service not in SERVICES:
        typer.echo(f"frontwire: unknown service {service!r}; pick one of {', '.join(SERVICES)}")
        raise typer.Exit(2)
    from services.runtimes.kafka import start_worker

    settings = _settings()
    _exposure(settings, (service,))
    start_worker(service, settings)


@app.command()
def extract(paths: Paths) -> None:
    """Clean each input and print one JSON object per input (JSONL, input order); an input
    that is unreadable or yields no article prints {"path", "error", "detail"}; exit status 1
    if any input could not be read."""
    from services.cleaner import Cleaner, Unusable
    from services.local_files import UnreadableInput, read_each
    from shared.codec import to_dict

    cleaner = Cleaner()
    unreadable = 0
    for path, raw in read_each(paths):
        if isinstance(raw, UnreadableInput):
            unreadable += 1
            typer.echo(f"frontwire: {raw}", err=True)
            out: dict[str, Any] = {"path": path, "error": "unreadable", "detail": str(raw)}
        else:
            try:
                out = {"path": path, **to_dict(cleaner.clean(raw))}
            except Unusable as exc:
                out = {"path": path, "error": exc.reason, "detail": exc.detail}
        sys.stdout.buffer.write(orjson.dumps(out) + b"\n")
        sys.stdout.buffer.flush()
    if unreadable:
        raise typer.Exit(1)


@app.command()
def enrich(paths: Paths) -> None:
    """Print the enriched record (entities, events, story id) of each input as JSON."""
    from services.cleaner import Cleaner, Unusable
    from services.enricher import Enricher
    from services.local_files import UnreadableInput, read_inputs
    from shared.codec import to_dict

    cleaner, enricher = Cleaner(), Enricher()
    try:
        for path, raw in read_inputs(paths):
            try:
                out: dict[str, Any] = {"path": path, **to_dict(enricher.enrich(cleaner.clean(raw)))}
            except Unusable as exc:
                out = {"path": path, "error": exc.reason}
            sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
    except UnreadableInput as exc:
        typer.echo(f"frontwire: {exc}", err=True)
        raise typer.Exit(2) from None


@rules_app.command("check")
def rules_check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Rule files (default pack if none)")
    ] = None,
) -> None:
    """Validate rule files; exit status 1 on any error, naming file, line and field."""
    from services.alerting.rules import RuleError, RuleSet

    try:
        rules = RuleSet.load(*files) if files else RuleSet.default()
    except RuleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"ok: {len(rules.rules)} rule(s)")


@rules_app.command("test")
def rules_test(
    articles: Paths,
    rules_file: Annotated[list[Path] | None, typer.Option("--rules", help="Rule file(s)")] = None,
) -> None:
    """Show which alerts each article would raise, and why."""
    from services.alerting.grouping import MemoryGroupStore
    from services.alerting.rules import RuleError, RuleSet
    from services.cleaner import Cleaner
    from services.enricher import Enricher
    from services.local_files import read_inputs
    from services.stages import Clean, Decide, Enrich, Match

    try:
        rules = RuleSet.load(*rules_file) if rules_file else RuleSet.default()
    except RuleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    # The pure stages only, with the rules given: no state, no sinks.
    chain = (Clean(Cleaner()), Enrich(Enricher()), Match(lambda: rules),
             Decide(MemoryGroupStore(), lambda: rules))
    for path, raw in read_inputs(articles):
        records: list[Any] = [raw]
        for handler in chain:
            records = [out for r in records for out in handler(r, time.time())]
        typer.echo(f"{path}: {len(records)} alert(s)")
        for item in records:
            event = item.alert.event
            typer.echo(f"  [{item.alert.severity}] {item.alert.rule}: {item.alert.summary}")
            typer.echo(f"      because: {event.type} ({event.status}) in: {event.sentence}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
