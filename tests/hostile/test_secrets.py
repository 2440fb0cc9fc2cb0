"""Secrets stay secret: the shipped webhook sends its token as a header (never in the
query, which lands in access logs), database passwords are masked wherever a URL is
shown, and a ``${VAR}`` value is data in the URL, never a new host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.sinks import HttpSink
from tests.conftest import REPO, CliRunner
from tests.hostile.conftest import RUNBOOK

TOKEN = "s3cret-token"


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


def declare(cli: CliRunner, root: Path, *extra: str) -> int:
    return cli(
        "declare", RUNBOOK, "--var", "impact=cards fail", "--unapproved", "--reason", "test",
        "--timeout", "5", "--project", str(root), *extra,
    ).exit_code  # fmt: skip


def test_the_shipped_status_webhook_sends_its_token_as_a_header_not_in_the_query(
    cli: CliRunner, project_root: Path, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (REPO / "channels" / "status-webhook.yaml").read_text(encoding="utf-8")
    (project_root / "channels" / "team-slack.yaml").unlink()
    channel = project_root / "channels" / "status-webhook.yaml"
    channel.write_text(shipped.replace("jsons://", "json://"), encoding="utf-8")  # plain HTTP
    monkeypatch.setenv("STATUS_WEBHOOK_HOST", f"127.0.0.1:{http_sink.port}")
    monkeypatch.setenv("STATUS_WEBHOOK_TOKEN", TOKEN)
    assert declare(cli, project_root) == 0
    (request,) = http_sink.wait_for(1)
    assert request.header("Authorization") == f"Bearer {TOKEN}"
    assert TOKEN not in request.query and TOKEN not in request.path


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://outagecomms@127.0.0.1:1/state?password=hunter2",
        "postgresql://outagecomms@127.0.0.1:1/state?sslmode=disable&PASSWORD=hunter2",
        "postgresql://outagecomms:hunter2@127.0.0.1:1/state",
    ],
)
@pytest.mark.parametrize("command", [["status"], ["worker", "--once"]])
def test_a_database_password_is_never_printed(
    cli: CliRunner, project_root: Path, url: str, command: list[str]
) -> None:
    result = cli(*command, "--database-url", url, "--project", str(project_root))
    assert result.exit_code == 5, result.stderr
    assert "127.0.0.1:1/state" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_a_var_value_with_at_and_slash_in_a_password_stays_the_password(
    cli: CliRunner, project_root: Path, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from tests.incidents.conftest import write_channel

    (project_root / "channels" / "team-slack.yaml").unlink()
    url = "json://hook:${HOOK_PASSWORD}@127.0.0.1:" + f"{http_sink.port}/hook"
    write_channel(project_root, "hook", kind="webhook", url=url)
    password = "Xy@leakfrag.invalid/zz?a=b#c"
    monkeypatch.setenv("HOOK_PASSWORD", password)
    assert declare(cli, project_root) == 0
    (request,) = http_sink.wait_for(1)
    assert request.path == "/hook"
    credentials = base64.b64decode((request.header("Authorization") or "").split()[-1])
    assert credentials.decode() == f"hook:{password}"


def test_a_var_value_that_would_move_the_host_is_refused_naming_the_variable(
    cli: CliRunner, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.incidents.conftest import write_channel

    write_channel(project_root, "hook", kind="webhook", url="json://${HOOK_HOST}/hook")
    monkeypatch.setenv("HOOK_HOST", "127.0.0.1@leakfrag.invalid")
    result = cli(
        "declare", RUNBOOK, "--var", "impact=x", "--unapproved", "--reason", "test",
        "--timeout", "2", "--json", "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code == 6
    assert "the value of ${HOOK_HOST} holds characters that cannot be in the URL's host" in (
        result.stdout
    )
    assert "leakfrag" not in result.stdout
