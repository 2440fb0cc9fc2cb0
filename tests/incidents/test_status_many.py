"""`status` with more incidents than a rich table lays out quickly: plain aligned columns,
one line per incident, the same columns and the same counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select

from outagecomms.cli.output import LONG_TABLE
from outagecomms.incidents import Orchestrator
from outagecomms.store import Store
from outagecomms.store.tables import incidents
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK

MANY = LONG_TABLE + 5


def _open_many(orchestrator: Orchestrator, store: Store) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    with store.write() as conn:
        row = dict(conn.execute(select(incidents).where(incidents.c.id == 1)).mappings().one())
        del row["id"]
        conn.execute(insert(incidents), [row] * (MANY - 1))


def test_status_of_many_incidents_prints_one_aligned_line_each(
    cli: CliRunner, project_root: Path, orchestrator: Orchestrator, store: Store
) -> None:
    _open_many(orchestrator, store)

    result = cli("status", "--project", str(project_root))

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Open incidents"
    assert lines[1].split() == [
        "id", "runbook", "status", "severity", "phase", "age", "next", "update", "deliveries",
    ]  # fmt: skip
    listed = lines[2 : 2 + MANY]
    assert [line.split()[0] for line in listed] == [f"INC-{n}" for n in range(1, MANY + 1)]
    assert len({line.index(" open ") for line in listed}) == 1
    assert "open" in listed[-1] and RUNBOOK in listed[-1]
