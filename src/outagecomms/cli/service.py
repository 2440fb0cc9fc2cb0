"""``outagecomms serve``, ``token create|list|revoke`` and ``routes check``: the service's
commands (thin layers over :mod:`outagecomms.service`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from outagecomms.cli.app import (
    JsonOption,
    ProjectOption,
    app,
    console,
    emit_json,
    orchestrator_options,
    project,
)
from outagecomms.cli.options import DatabaseOption
from outagecomms.errors import ConfigError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY = 1_048_576
DEFAULT_RATE_LIMIT = 600
"""outagecomms.service.context's defaults, repeated so that building the command line
imports no FastAPI (tests/service/test_cli.py checks they agree)."""


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", envvar="OUTAGECOMMS_HOST", help="Address to listen on.")
    ] = DEFAULT_HOST,
    port: Annotated[
        int,
        typer.Option(
            "--port", envvar="OUTAGECOMMS_PORT", min=0, max=65535, help="Port to listen on."
        ),
    ] = DEFAULT_PORT,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            envvar="OUTAGECOMMS_PUBLIC_URL",
            help="The address clients and subscribers' links use, e.g. "
            "https://incidents.example.com (shown in /openapi.json).",
            show_default=False,
        ),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            envvar="OUTAGECOMMS_SERVE_WORKER",
            help="Run a worker in this process, woken at once by the hooks "
            "(--no-worker when `outagecomms worker` runs elsewhere).",
        ),
    ] = True,
    max_body: Annotated[
        int,
        typer.Option(
            "--max-body",
            envvar="OUTAGECOMMS_MAX_BODY",
            min=1024,
            help="Largest request body in bytes (413 beyond).",
        ),
    ] = DEFAULT_MAX_BODY,
    rate_limit: Annotated[
        int,
        typer.Option(
            "--rate-limit",
            envvar="OUTAGECOMMS_RATE_LIMIT",
            min=0,
            help="Requests a minute per token in this process (429 beyond; 0: no limit).",
        ),
    ] = DEFAULT_RATE_LIMIT,
    database_url: DatabaseOption = None,
    project_dir: ProjectOption = None,
) -> None:
    """Serve the REST API and the alert hooks until SIGTERM (requests in flight finish)."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"outagecomms serve needs {exc.name}: install the service extra, "
            "pip install 'outagecomms[service]'"
        ) from None
    from outagecomms.service.context import ServiceSettings
    from outagecomms.service.server import Listen
    from outagecomms.service.server import serve as run

    settings = ServiceSettings(
        project_root=project(project_dir).root,
        database_url=database_url,
        public_url=public_url,
        max_body=max_body,
        rate_limit=rate_limit,
        orchestrator_options=orchestrator_options(),
    )
    print(
        f"outagecomms: serving http://{host}:{port} (docs at /docs); SIGTERM or Ctrl-C stops it",
        file=sys.stderr,
        flush=True,
    )
    run(settings, Listen(host, port), with_worker=worker)


# --------------------------------------------------------------------------- tokens

token_app = typer.Typer(
    name="token",
    help="API tokens for `outagecomms serve` (only a hash of each is stored).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="A name for who uses it, e.g. alertmanager-prod.")],
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="read (list, show), declare (also declare, update, resolve, the hooks) "
            "or admin (everything).",
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            envvar="OUTAGECOMMS_ACTOR",
            help="Who creates it (recorded; default: the OS user).",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Create a token and print it once: it cannot be shown again."""
    from outagecomms.incidents import default_actor, open_project_store
    from outagecomms.service.tokens import Scope, create_token

    try:
        chosen = Scope(scope)
    except ValueError:
        raise UsageError(f"--scope {scope!r}: use read, declare or admin") from None
    with open_project_store(project(project_dir), database_url) as store:
        made = create_token(store, name, chosen, by=by or default_actor())
    if json_output:
        emit_json(made.as_json())
        return
    print(made.token)
    print(
        f"outagecomms: token {made.name!r} ({made.scope.value}) created; it is shown only "
        "now: store it in your secret manager",
        file=sys.stderr,
    )


@token_app.command("list")
def token_list(
    all_tokens: Annotated[bool, typer.Option("--all", help="Revoked tokens too.")] = False,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """The tokens: name, scope, who created them, when last used (never the token)."""
    from rich.table import Table

    from outagecomms.incidents import open_project_store
    from outagecomms.service.tokens import list_tokens, token_json

    with open_project_store(project(project_dir), database_url) as store:
        found = list_tokens(store, include_revoked=all_tokens)
    rows = [token_json(t) for t in found]
    if json_output:
        emit_json(rows)
        return
    if not rows:
        console().print("No tokens; `outagecomms token create NAME --scope declare` makes one.")
        return
    table = Table(title="Tokens", title_justify="left")
    columns = ("name", "scope", "created_by", "created_at", "last_used_at", "revoked_at")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c] or "-") for c in columns))
    console().print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name (`outagecomms token list`).")],
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Revoke a token: every request with it is refused (401) from now on."""
    from outagecomms.incidents import open_project_store
    from outagecomms.service.tokens import revoke_token

    with open_project_store(project(project_dir), database_url) as store:
        revoke_token(store, name)
    if json_output:
        emit_json({"name": name, "revoked": True})
    else:
        console().print(f"Token {name!r} revoked.")


# --------------------------------------------------------------------------- routes

routes_app = typer.Typer(
    name="routes",
    help="routes.yaml: which alert declares which approved runbook.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(routes_app, name="routes")


@routes_app.command("check")
def routes_check(
    payload: Annotated[
        Path | None,
        typer.Argument(
            help="A sample payload (JSON) as the source sends it; without it, only "
            "routes.yaml is checked.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="Whose payload it is: alertmanager, grafana, datadog, statuspage or cloudevents.",
        ),
    ] = "alertmanager",
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Check routes.yaml, and show which route PAYLOAD takes and what it would send."""
    from outagecomms.service.route_check import check_payload, check_project

    proj = project(project_dir)
    problems = check_project(proj)
    if problems:
        raise ConfigError(
            problems[0] + (f" (and {len(problems) - 1} more)" if problems[1:] else "")
        )
    if payload is None:
        if json_output:
            emit_json({"ok": True, "alerts": []})
        else:
            console().print("routes.yaml: ok")
        return
    try:
        document = json.loads(payload.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{payload}: not a readable JSON file ({exc})") from None
    results = check_payload(proj, source, document)
    if json_output:
        emit_json({"ok": True, "alerts": results})
        return
    _print_checks(results)


def _print_checks(results: list[dict[str, Any]]) -> None:
    out = console()
    if not results:
        out.print("The payload holds no alert that changes anything (e.g. a reminder).")
    for result in results:
        out.rule(f"{result['status']} · {result['dedupe_key']}")
        if result["route"] is None or result["problem"]:
            out.print(f"internal channels only: {result['problem']}")
            continue
        out.print(
            f"route {result['route']!r} -> {result['action']} runbook {result['runbook']!r}"
            f" ({result['severity'] or 'runbook severity'})"
        )
        for channel, text in result["messages"].items():
            out.print(f"[bold]{channel}[/bold]:", highlight=False)
            out.print(text, markup=False, highlight=False)
