"""``runbooks --history``: who approved each runbook, when, with which note."""

from __future__ import annotations

from typing import Any


def print_history(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from outagecomms.cli.app import console
    from outagecomms.cli.tables import keep_whole

    table = Table(title="Approval history (newest first)", title_justify="left")
    table.add_column("runbook", no_wrap=True)
    table.add_column("approved at", no_wrap=True)
    table.add_column("by")
    table.add_column("note")
    table.add_column("content", no_wrap=True)
    for row in rows:
        if not row["approvals"]:
            table.add_row(row["id"], "-", Text("never approved", style="red"), "", "")
        for index, entry in enumerate(row["approvals"]):
            table.add_row(
                row["id"] if index == 0 else "",
                entry["approved_at"],
                entry["approved_by"],
                entry.get("note") or "",
                Text("as it is now", style="green")
                if entry["current"]
                else Text("earlier", style="dim"),
            )
    console().print(keep_whole(table, "runbook", "approved at"))
