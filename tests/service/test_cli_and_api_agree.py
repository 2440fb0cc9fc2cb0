"""The CLI and the API cannot drift: for the same scenario on the same project and store,
their JSON documents are the same (product-spec §9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK
from tests.service.conftest import Client, Tokens, make_service

VOLATILE = {"next_update_at", "started_at", "at", "sent_at", "due_at", "resolved_at"}


def stable(document: Any) -> Any:
    """The document with its moments and ids masked (two runs differ only there)."""
    if isinstance(document, dict):
        return {
            k: "<moment>" if k in VOLATILE and v is not None else stable(v)
            for k, v in document.items()
            if k not in ("id", "actor", "by", "declared_by", "events")
        }
    if isinstance(document, list):
        return [stable(v) for v in document]
    return document


AS_THE_TOKEN = ("--by", "token:test-declare")
"""The internal channels' copy names who posted: the CLI posts as the API's token does."""


def cli_json(cli: CliRunner, root: Path, *args: str) -> Any:
    result = cli(*args, "--json", "--project", str(root))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_declare_update_resolve_answer_the_same_documents(
    cli: CliRunner,
    project_root: Path,
    sink_channels: dict[str, str],
    store: Store,
    tokens: Tokens,
) -> None:
    api = Client(make_service(project_root, store))
    by_cli = [
        cli_json(cli, project_root, "declare", RUNBOOK, "--var", f"impact={IMPACT}", *AS_THE_TOKEN),
        cli_json(cli, project_root, "update", "INC-1", "--phase", "identified", *AS_THE_TOKEN),
        cli_json(cli, project_root, "resolve", "INC-1", *AS_THE_TOKEN),
    ]
    declared = api.post(
        "/api/v1/incidents",
        json={"runbook": RUNBOOK, "variables": {"impact": IMPACT}},
        headers=tokens.header(),
    ).json()
    by_api = [
        declared,
        api.post(
            "/api/v1/incidents/INC-2/updates",
            json={"phase": "identified"},
            headers=tokens.header(),
        ).json(),
        api.post("/api/v1/incidents/INC-2/resolve", headers=tokens.header()).json(),
    ]
    assert [stable(d) for d in by_api] == [stable(d) for d in by_cli]
    assert by_cli[0]["incident"]["id"] == "INC-1"
    assert by_api[0]["incident"]["id"] == "INC-2"


def test_status_and_show_are_the_same_documents(
    cli: CliRunner,
    project_root: Path,
    sink_channels: dict[str, str],
    store: Store,
    tokens: Tokens,
) -> None:
    cli_json(cli, project_root, "declare", RUNBOOK, "--var", f"impact={IMPACT}")
    api = Client(make_service(project_root, store))
    read = tokens.header("read")
    assert api.get("/api/v1/incidents", headers=read).json() == cli_json(
        cli, project_root, "status"
    )
    assert api.get("/api/v1/incidents/INC-1", headers=read).json() == cli_json(
        cli, project_root, "show", "INC-1"
    )


def test_an_error_carries_the_cli_one_line_message(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], store: Store, tokens: Tokens
) -> None:
    result = cli("show", "INC-42", "--project", str(project_root))
    api = Client(make_service(project_root, store))
    problem = api.get("/api/v1/incidents/INC-42", headers=tokens.header("read")).json()
    assert result.stderr.strip() == f"outagecomms: error: {problem['detail']}"
