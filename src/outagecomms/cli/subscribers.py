"""``outagecomms subscribers list|add|remove|import|export``: thin over
:class:`outagecomms.audiences.subscriptions.Subscriptions`."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, project
from outagecomms.cli.options import DatabaseOption
from outagecomms.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from outagecomms.audiences.subscriptions import Subscriptions

subscribers_app = typer.Typer(
    name="subscribers",
    help='People who subscribed to status updates (README "Subscribers").',
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(subscribers_app, name="subscribers")

CSV_FIELDS = ("address", "language", "components")
LanguageOption = Annotated[
    str, typer.Option("--language", help="The language messages to them are in.")
]
ComponentOption = Annotated[
    list[str] | None,
    typer.Option("--component", help="A component they follow (repeat; none: all of them)."),
]
ConfirmedOption = Annotated[
    bool,
    typer.Option(
        "--confirmed",
        help="Consent was recorded elsewhere: no confirmation is sent (needs --reason).",
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option("--reason", help="How and when they consented (kept with each subscriber)."),
]
FormatOption = Annotated[str, typer.Option("--format", help="csv or json.")]


def _open(project_dir: Path | None, database_url: str | None) -> Subscriptions:
    from outagecomms.audiences.subscriptions import Subscriptions
    from outagecomms.incidents import open_project_store

    found = project(project_dir)
    return Subscriptions(found, open_project_store(found, database_url))


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    fields = list(rows[0]) if rows else list(CSV_FIELDS)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ",".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


@subscribers_app.command("list")
def subscribers_list(
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Every subscriber: address, language, components, state, consent."""
    subs = _open(project_dir, database_url)
    try:
        rows = subs.export()
    finally:
        subs.store.close()
    if json_output:
        emit_json(rows)
        return
    if not rows:
        console().print("No subscribers; POST /subscribe or `subscribers add` adds them.")
        return
    for row in rows:
        components = ",".join(row["components"]) or "all"
        print(f"{row['address']}  {row['language']}  {components}  {row['state']}")


@subscribers_app.command("add")
def subscribers_add(
    address: Annotated[str, typer.Argument(help="An email address, E.164 phone number or URL.")],
    language: LanguageOption = "en",
    component: ComponentOption = None,
    confirmed: ConfirmedOption = False,
    reason: ReasonOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Add a subscriber (or change one); without --confirmed they get nothing until they
    confirm through POST /subscribe."""
    from outagecomms.audiences.subscriptions import subscriber_json

    subs = _open(project_dir, database_url)
    try:
        added = subs.add(address, language, component or [], confirmed=confirmed, reason=reason)
    except UsageError as exc:
        if exc.parameter != "components":
            raise
        raise UsageError(exc.naming("--component")) from None
    finally:
        subs.store.close()
    if json_output:
        emit_json(subscriber_json(added))
        return
    print(f"outagecomms: {added.address} added ({'active' if added.active else 'pending'})")


@subscribers_app.command("remove")
def subscribers_remove(
    address: Annotated[str, typer.Argument(help="The subscriber's address.")],
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Delete everything stored about the address (GDPR): pending deliveries are cancelled
    and the address is erased from past ones."""
    subs = _open(project_dir, database_url)
    try:
        subs.remove(address)
    finally:
        subs.store.close()
    if json_output:
        emit_json({"removed": address})
        return
    print(f"outagecomms: {address} removed; nothing about it is stored any more")


@subscribers_app.command("import")
def subscribers_import(
    file: Annotated[Path, typer.Argument(help="A CSV (address,language,components) or JSON list.")],
    confirmed: ConfirmedOption = False,
    reason: ReasonOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Add every subscriber of FILE (all or nothing); --confirmed --reason for lists whose
    consent was recorded elsewhere."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read it ({exc.strerror}); check the path") from None
    if file.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{file}: not JSON ({exc}); give a list of objects") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError(f"{file}: give a JSON list of {{address, language, components}}")
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    subs = _open(project_dir, database_url)
    try:
        count = subs.import_rows(rows, confirmed=confirmed, reason=reason)
    except UsageError as exc:
        raise UsageError(f"{file}: {exc.message}") from None
    finally:
        subs.store.close()
    if json_output:
        emit_json({"imported": count})
        return
    print(f"outagecomms: {count} subscribers imported from {file}")


@subscribers_app.command("export")
def subscribers_export(
    address: Annotated[
        str | None,
        typer.Option("--address", help="Everything stored about this one person (GDPR)."),
    ] = None,
    output_format: FormatOption = "csv",
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Every subscriber as CSV or JSON, or with --address all that is stored about one."""
    if output_format not in ("csv", "json"):
        raise UsageError(f"--format {output_format!r}: use csv or json")
    subs = _open(project_dir, database_url)
    try:
        rows = subs.export(address)
    finally:
        subs.store.close()
    if json_output or output_format == "json":
        emit_json(rows)
        return
    sys.stdout.write(_csv(rows))
