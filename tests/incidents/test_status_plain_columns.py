"""The plain columns of a long ``status``, cell by cell: each cell's words, made once per
distinct value, are those it printed when they were made for every row (the lines are
what the printing before that change wrote for these rows)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rich.console import Console

from outagecomms.cli.output import _print_long_status
from outagecomms.incidents.views import IncidentSummary
from outagecomms.store.records import IncidentRecord, IncidentStatus
from outagecomms.vocabulary import Phase

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
COLUMNS = ("id", "runbook", "status", "severity", "phase", "age", "next update", "deliveries")
BASE = IncidentRecord(
    number=1, runbook_id="payments-failing", status=IncidentStatus.OPEN, severity="major",
    phase=Phase.INVESTIGATING, cadence_seconds=None,
    next_update_at=NOW + timedelta(minutes=30), variables={}, channels=None, dedupe_key=None,
    declared_by="alice", break_glass_reason=None, started_at=NOW - timedelta(minutes=90),
    resolved_at=None, updated_at=NOW,
)  # fmt: skip


def printed(rows: list[IncidentSummary]) -> list[str]:
    out = Console(file=io.StringIO(), width=200)
    _print_long_status(out, "Open incidents", COLUMNS, rows, NOW)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in text.splitlines()]


def test_each_line_of_the_plain_columns_says_its_own_incidents_words() -> None:
    rows = [
        IncidentSummary(BASE, {"sent": 5}),
        IncidentSummary(replace(BASE, number=2), {"sent": 5}),
        IncidentSummary(
            replace(BASE, number=3, next_update_at=NOW - timedelta(minutes=5)),
            {"failed": 1, "retry": 2, "queued": 1},
            overdue_by=timedelta(minutes=5),
        ),
        IncidentSummary(replace(BASE, number=4, blocked_reason="channel file broken"), {}),
        IncidentSummary(
            replace(
                BASE,
                number=10,
                status=IncidentStatus.RESOLVED,
                next_update_at=None,
                resolved_at=NOW - timedelta(minutes=30),
            ),
            {"sent": 5, "cancelled": 1},
        ),
    ]
    assert printed(rows) == [
        "Open incidents",
        "id      runbook           status    severity  phase          age    next update                    deliveries",  # noqa: E501
        "INC-1   payments-failing  open      major     investigating  1h30m  2024-06-01 12:30 UTC (in 30m)  5 sent",  # noqa: E501
        "INC-2   payments-failing  open      major     investigating  1h30m  2024-06-01 12:30 UTC (in 30m)  5 sent",  # noqa: E501
        "INC-3   payments-failing  open      major     investigating  1h30m  2024-06-01 11:55 UTC (5m ago)  1 queued · 2 queued for retry · 1 failed",  # noqa: E501
        "INC-4   payments-failing  open      major     investigating  1h30m  BLOCKED: channel file broken   none",  # noqa: E501
        "INC-10  payments-failing  resolved  major     investigating  1h     -                              5 sent · 1 cancelled",  # noqa: E501
        "INC-3 needs a human: 1 failed after every retry; next update 5m late (`outagecomms show INC-3`, is a worker running?)",  # noqa: E501
    ]
