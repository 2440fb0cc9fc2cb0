"""``outagecomms lint`` and ``outagecomms approve``: the communications staff's review."""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, plain, project
from outagecomms.display import for_terminal
from outagecomms.errors import FindingsError, NotFoundError, UsageError
from outagecomms.vocabulary import Audience

if TYPE_CHECKING:
    from outagecomms.lint.findings import Finding, Report
    from outagecomms.project import Project

_STYLES = {"error": "bold red", "warning": "yellow"}


def _project_for(project_dir: Path | None, paths: list[Path]) -> Project:
    """The project of ``--project``/the working directory; for explicit files outside any
    project, their directory (default settings)."""
    from outagecomms.project import Project

    try:
        return project(project_dir)
    except NotFoundError:
        if project_dir is not None or not paths:
            raise
        first = paths[0].resolve()
        base = first.parent if first.is_file() else first
        root = base.parent if base.name == "runbooks" else base
        return Project(root)


def _print_finding(item: Finding, *, show_where: bool = True) -> None:
    from rich.text import Text

    out = console()
    where = f"{item.where}  " if show_where and item.where else ""
    context = "/".join(p for p in (item.phase, item.format, item.lang) if p)
    line = Text.assemble(
        f"  {where}",
        (f"{item.severity.value:<7}", _STYLES[item.severity.value]),
        " ",
        (item.rule, "bold"),
        f"  [{context}]" if context else "",
        for_terminal(f"  {item.message}"),
    )
    out.print(line)
    if item.excerpt:
        out.print(plain(f"      > {item.excerpt}", "dim"))


def _summary(report: Report, subject: str) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    allowed = f", {len(report.allowed)} allowed by exceptions" if report.allowed else ""
    return (
        f"{subject}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}{allowed}"
    )


def _print_report(report: Report) -> None:
    out = console()

    def key(item: Finding) -> str:
        return item.runbook or item.file or ""

    for runbook, items in groupby(sorted(report.findings, key=key), key=key):
        group = list(items)
        label = runbook or "project"
        out.rule(plain(f"{label} ({group[0].file or ''})", "bold"), align="left")
        for item in sorted(group, key=lambda f: (f.line or 0, f.rule)):
            _print_finding(item)
    files = f"{report.files} runbook file{'s' if report.files != 1 else ''}"
    verdict = "[green]ok[/green]" if report.ok else "[bold red]errors block approval[/bold red]"
    out.print(f"{_summary(report, files)}: {verdict}")


def _finish(report: Report, json_output: bool, subject: str) -> None:
    if json_output:
        emit_json(report.as_json())
    if not report.ok:
        raise FindingsError(f"{_summary(report, subject)}; fix the errors listed above")


@app.command()
def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Runbook files or directories (default: the project's runbooks/)."),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Lint one free-written message instead; - reads stdin."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="With --text: the message's language.")
    ] = None,
    audience: Annotated[
        Audience,
        typer.Option("--audience", help="With --text: internal turns jargon and ACK checks off."),
    ] = Audience.CUSTOMERS,
    phase: Annotated[
        str | None,
        typer.Option("--phase", help="With --text: check the elements this phase requires."),
    ] = None,
    require_approval: Annotated[
        bool,
        typer.Option(
            "--require-approval",
            help="Also fail when a runbook is not approved as it is (for CI on pull requests).",
        ),
    ] = False,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Check runbooks: schema, tone rules and worst-case length proofs; exit 1 on any error.

    With --text, check one message you wrote yourself (--lang required).
    """
    from rich.text import Text

    from outagecomms.lint.runner import lint_paths, lint_text
    from outagecomms.preview import parse_phase
    from outagecomms.settings import SETTINGS_FILE

    if text is not None:
        if paths:
            raise UsageError("--text lints one message; do not name runbook files with it")
        if not lang:
            raise UsageError("--text needs --lang, e.g. --lang en")
        if text == "-":
            text = sys.stdin.read()
        root = None
        try:
            root = project(project_dir).root
        except NotFoundError:
            root = None
        report = lint_text(
            text,
            lang,
            audience=audience,
            phase=parse_phase(phase) if phase else None,
            project_root=root,
        )
        if not json_output:
            for item in report.findings:
                _print_finding(item, show_where=False)
            if phase is None:
                console().print(
                    Text("  (pass --phase to also check the elements that phase needs)", "dim")
                )
            console().print(_summary(report, "message"))
        _finish(report, json_output, "message")
        return
    for flag, value in (("--lang", lang), ("--phase", phase)):
        if value is not None:
            raise UsageError(f"{flag} applies to --text only")
    chosen = list(paths or [])
    proj = _project_for(project_dir, chosen)
    approval = None
    if require_approval:
        from outagecomms.approvals import approval_findings

        approval = approval_findings
    report, _ = lint_paths(proj, chosen, approval=approval)
    if not json_output:
        if report.files == 0 and not report.findings:
            console().print(
                f"no runbooks in {proj.runbooks_dir} (nothing to lint; is this the project "
                f"directory with runbooks/ or {SETTINGS_FILE}?)"
            )
        else:
            _print_report(report)
    _finish(report, json_output, f"{report.files} runbook files")


@app.command()
def approve(
    runbooks: Annotated[list[str], typer.Argument(help="Runbook ids to approve.")],
    by: Annotated[
        str,
        typer.Option(
            "--by", envvar="OUTAGECOMMS_ACTOR", help="Who approves (recorded in the lock file)."
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="A note for the record.")] = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Approve runbooks as they are now: writes runbooks/approvals.lock.

    Refuses (exit 4) a runbook with lint errors; commit the lock file with the runbook.
    """
    from rich.text import Text

    from outagecomms.approvals import approve as record_approvals

    proj = project(project_dir)
    recorded = record_approvals(proj, runbooks, by=by, note=note)
    if json_output:
        emit_json({"approved": recorded})
        return
    out = console()
    for entry in recorded:
        extra = []
        if entry["exceptions"]:
            extra.append(f"{len(entry['exceptions'])} exception(s) recorded")
        if entry["warnings"]:
            extra.append(f"{entry['warnings']} warning(s) reviewed")
        suffix = f" ({', '.join(extra)})" if extra else ""
        out.print(
            Text.assemble(
                ("approved ", "green"),
                (entry["runbook"], "bold"),
                f" by {entry['approved_by']} at {entry['approved_at']}{suffix}",
            )
        )
    out.print("recorded in runbooks/approvals.lock; commit it together with the runbooks")
