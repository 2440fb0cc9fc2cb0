"""``outagecomms token create|list|revoke`` and ``routes check``; ``lint`` on routes.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import text

from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.service.conftest import FIXTURES, Client, make_service


def test_the_cli_defaults_are_the_service_defaults() -> None:
    from outagecomms.cli import service as cli
    from outagecomms.service import context

    assert (cli.DEFAULT_HOST, cli.DEFAULT_PORT) == (context.DEFAULT_HOST, context.DEFAULT_PORT)
    assert (cli.DEFAULT_MAX_BODY, cli.DEFAULT_RATE_LIMIT) == (
        context.DEFAULT_MAX_BODY,
        context.DEFAULT_RATE_LIMIT,
    )


def test_token_create_prints_the_token_once_as_json(
    cli: CliRunner, project_root: Path, store: Store
) -> None:
    result = cli(
        "token",
        "create",
        "alertmanager-prod",
        "--scope",
        "declare",
        "--json",
        "--project",
        str(project_root),
    )
    assert result.exit_code == 0, result.stderr
    made = json.loads(result.stdout)
    assert set(made) == {"name", "scope", "token"}
    assert (made["name"], made["scope"]) == ("alertmanager-prod", "declare")
    assert len(made["token"]) > 40


def test_only_a_hash_of_the_token_is_stored(
    cli: CliRunner, project_root: Path, store: Store
) -> None:
    result = cli(
        "token", "create", "ci", "--scope", "read", "--json", "--project", str(project_root)
    )
    token = json.loads(result.stdout)["token"]
    with store.read() as conn:
        rows = conn.execute(text("SELECT * FROM api_tokens")).all()
    assert token not in repr(rows)


def test_the_printed_token_authenticates(
    cli: CliRunner, project_root: Path, fake_channels: list[str], store: Store
) -> None:
    result = cli("token", "create", "ci", "--scope", "read", "--project", str(project_root))
    token = result.stdout.strip()
    api = Client(make_service(project_root, store))
    response = api.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_second_live_token_with_the_same_name_is_refused(
    cli: CliRunner, project_root: Path
) -> None:
    cli("token", "create", "ci", "--scope", "read", "--project", str(project_root))
    again = cli("token", "create", "ci", "--scope", "read", "--project", str(project_root))
    assert again.exit_code == 4
    assert "token revoke ci" in again.stderr


def test_an_unknown_scope_is_a_usage_error(cli: CliRunner, project_root: Path) -> None:
    result = cli("token", "create", "ci", "--scope", "root", "--project", str(project_root))
    assert result.exit_code == 2
    assert "read, declare or admin" in result.stderr


def test_token_list_shows_names_and_scopes_never_tokens(cli: CliRunner, project_root: Path) -> None:
    made = cli(
        "token", "create", "ci", "--scope", "admin", "--json", "--project", str(project_root)
    )
    listed = cli("token", "list", "--json", "--project", str(project_root))
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["scope"]) for r in rows] == [("ci", "admin")]
    assert json.loads(made.stdout)["token"] not in listed.stdout


def test_a_revoked_token_is_refused_and_listed_only_with_all(
    cli: CliRunner, project_root: Path, fake_channels: list[str], store: Store
) -> None:
    token = cli(
        "token", "create", "ci", "--scope", "read", "--project", str(project_root)
    ).stdout.strip()
    assert cli("token", "revoke", "ci", "--project", str(project_root)).exit_code == 0
    api = Client(make_service(project_root, store))
    response = api.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert json.loads(cli("token", "list", "--json", "--project", str(project_root)).stdout) == []
    everything = json.loads(
        cli("token", "list", "--all", "--json", "--project", str(project_root)).stdout
    )
    assert everything[0]["revoked_at"] is not None


def test_revoking_an_unknown_token_is_not_found(cli: CliRunner, project_root: Path) -> None:
    assert cli("token", "revoke", "nobody", "--project", str(project_root)).exit_code == 3


# --------------------------------------------------------------------------- routes


def test_routes_check_shows_the_route_and_the_words_it_would_send(
    cli: CliRunner, project_root: Path, fake_channels: list[str], routes: Path
) -> None:
    result = cli(
        "routes",
        "check",
        str(FIXTURES / "alertmanager-firing.json"),
        "--json",
        "--project",
        str(project_root),
    )
    assert result.exit_code == 0, result.stderr
    (alert,) = json.loads(result.stdout)["alerts"]
    assert (alert["route"], alert["runbook"], alert["severity"]) == (
        "payments",
        "payments-failing",
        "critical",
    )
    assert "customers in Europe" in alert["messages"]["customers-email"]
    assert "team-slack" not in alert["messages"]  # what customers get
    assert "psql" not in json.dumps(alert["messages"])


def test_routes_check_says_why_an_alert_reaches_staff_only(
    cli: CliRunner, project_root: Path, fake_channels: list[str], routes: Path
) -> None:
    result = cli(
        "routes",
        "check",
        str(FIXTURES / "alertmanager-unknown-region.json"),
        "--project",
        str(project_root),
    )
    assert result.exit_code == 0, result.stderr
    assert "internal channels only" in result.stdout
    assert "ap-south-1" in result.stdout


def test_routes_check_reads_each_source(
    cli: CliRunner, project_root: Path, fake_channels: list[str], routes: Path
) -> None:
    result = cli(
        "routes",
        "check",
        str(FIXTURES / "datadog-triggered.json"),
        "--source",
        "datadog",
        "--json",
        "--project",
        str(project_root),
    )
    assert json.loads(result.stdout)["alerts"][0]["route"] == "datadog-payments"


def write_routes(root: Path, routes: list[dict[str, object]]) -> Path:
    path = root / "routes.yaml"
    path.write_text(yaml.safe_dump({"routes": routes}, allow_unicode=True, sort_keys=False))
    return path


def test_lint_names_an_unknown_runbook_in_routes_yaml_with_its_line(
    cli: CliRunner, project_root: Path, fake_channels: list[str]
) -> None:
    path = write_routes(
        project_root,
        [
            {
                "name": "a",
                "match": {"alertname": "A"},
                "runbook": "payments-failing",
                "variables": {"impact": {"value": "x"}},
            },
            {"name": "b", "match": {"alertname": "B"}, "runbook": "no-such-runbook"},
        ],
    )
    lines = path.read_text().splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "no-such-runbook" in t)
    result = cli("lint", "--json", "--project", str(project_root))
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "routes"]
    assert result.exit_code == 1
    assert [(f["file"].endswith("routes.yaml"), f["line"]) for f in findings] == [(True, line)]
    assert "no runbook 'no-such-runbook'" in findings[0]["message"]


def test_lint_names_an_unknown_variable_and_missing_languages(
    cli: CliRunner, project_root: Path, fake_channels: list[str]
) -> None:
    write_routes(
        project_root,
        [
            {
                "name": "a",
                "match": {"alertname": "A"},
                "runbook": "payments-failing",
                "variables": {
                    "impact": {"value": {"en": "card payments fail"}},
                    "colour": {"value": "red"},
                },
            },
        ],
    )
    result = cli("lint", "--json", "--project", str(project_root))
    messages = [
        f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "routes"
    ]
    assert any("has no variable 'colour'" in m for m in messages)
    assert any("no words in fa, uk, lv" in m for m in messages)


def test_a_routes_yaml_that_does_not_validate_names_file_and_line(
    cli: CliRunner, project_root: Path, fake_channels: list[str]
) -> None:
    (project_root / "routes.yaml").write_text(
        "routes:\n  - name: a\n    runbook: payments-failing\n    match: {alertname: '~('}\n"
    )
    result = cli("routes", "check", "--project", str(project_root))
    assert result.exit_code == 5
    assert "routes.yaml:4" in result.stderr
    assert "regular expression" in result.stderr


def test_the_example_routes_yaml_lints_clean(
    cli: CliRunner, project_root: Path, fake_channels: list[str], routes: Path
) -> None:
    result = cli("lint", "--json", "--project", str(project_root))
    assert [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "routes"] == []
