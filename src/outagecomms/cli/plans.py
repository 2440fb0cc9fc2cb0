"""Printing a ``--dry-run`` plan: exactly what each channel would get, and what would fail."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from outagecomms.cli.app import console, emit_json, plain
from outagecomms.errors import ExitStatus

if TYPE_CHECKING:
    from outagecomms.dry_run import Plan


def finish_plan(plan: Plan, json_output: bool) -> None:
    """Print ``plan``; exit 6 when a channel's first attempt would fail, as the real
    command would."""
    if json_output:
        emit_json(plan.as_json())
    else:
        _print_plan(plan)
    for warning in plan.warnings:
        print(f"outagecomms: warning: {warning}", file=sys.stderr)
    failing = plan.failing
    if failing:
        for d in failing:
            print(f"outagecomms: warning: {d.name}: {d.problem}", file=sys.stderr)
        print(
            f"outagecomms: warning: dry run: {len(failing)} channel(s) would fail their first "
            f"attempt: {', '.join(d.name for d in failing)}; fix them before the real "
            f"`outagecomms {plan.command}`",
            file=sys.stderr,
        )
        raise typer.Exit(int(ExitStatus.DELIVERY_FAILED))


def _print_plan(plan: Plan) -> None:
    from rich.rule import Rule
    from rich.text import Text

    out = console()
    out.print(Text("DRY RUN: nothing was written or sent.", style="bold yellow"))
    i = plan.incident
    if i is None:
        out.print(
            f"`outagecomms {plan.command}` would send nothing: the dedupe key was never used."
        )
        return
    if plan.deduplicated:
        state = "open" if i.is_open else "resolved"
        out.print(
            f"{i.id} is already {state} for dedupe key {i.dedupe_key!r}: "
            f"`outagecomms {plan.command}` would send nothing."
        )
        return
    who = "a new incident" if plan.new_incident else i.id
    if plan.reopened:
        who = f"{i.id} re-opened (a flap within the cool-down)"
    phase = plan.phase.value if plan.phase else "-"
    line = f"{plan.command} → {who} · {i.runbook_id} · {i.severity} · posts {phase}"
    if i.next_update_at is not None:
        line += f" · next update promised by {i.next_update_at:%Y-%m-%d %H:%M} UTC"
    out.print(line)
    if plan.components:
        shown = ", ".join(f"{c} → {s}" for c, s in plan.components.items())
        out.print(plain(f"components it would set: {shown}"))
    for d in plan.deliveries:
        t = d.text
        c = t.composed
        size = f"{t.length} {t.unit}" if t.limit is None else f"{t.length}/{t.limit} {t.unit}"
        verdict = (
            Text("WOULD FAIL", style="bold red")
            if d.problem
            else Text("fits" if t.fits else "TOO LONG", style="green" if t.fits else "bold red")
        )
        title = Text.assemble(
            (d.name, "bold cyan"),
            f" ({c.kind.value}, {t.channel.audience.value}, {c.lang}) · {size} · ",
            verdict,
        )
        if c.truncated:
            title.append(" (shortened to fit)", style="yellow")
        out.print(Rule(title, align="left"))
        if d.problem:
            out.print(Text(f"  {d.problem}", style="bold red"))
        if t.title:
            out.print(Text(f"Subject: {t.title}", style="bold"))
        out.print(Text(t.body))
