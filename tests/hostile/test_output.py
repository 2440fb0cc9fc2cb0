"""Output cannot be turned against its reader: data is printed as plain text (never Rich
markup), control characters already in the store are escaped on the terminal and
dropped from HTML and XML, bidirectional text is isolated, and the pages send a
Content-Security-Policy."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import CliRunner
from tests.hostile.conftest import RUNBOOK

RLO = "\u202e"
FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def root(project_root: Path) -> Path:
    """The payments runbook, internal Slack (nowhere) and a status page (``public/``)."""
    from tests.incidents.conftest import write_channel

    (project_root / "outagecomms.toml").write_text(
        'database_url = "sqlite:///state.db"\n', encoding="utf-8"
    )
    write_channel(project_root, "status-site", kind="site", url="public")
    return project_root


def declare(cli: CliRunner, root: Path, *extra: str) -> Any:
    result = cli(
        "declare", RUNBOOK, "--unapproved", "--reason", "test", "--timeout", "1", "--json",
        "--project", str(root), *extra,
    )  # fmt: skip
    assert result.exit_code in (0, 6), result.stderr
    return json.loads(result.stdout)


def plant(root: Path, statement: str, **values: Any) -> None:
    """Write straight into the store, as an older version (or another tool) could have."""
    engine = create_engine(f"sqlite:///{root / 'state.db'}")
    with engine.begin() as conn:
        conn.execute(text(statement), values)
    engine.dispose()


def site_files(cli: CliRunner, root: Path) -> Path:
    out = root / "site-out"
    result = cli("site", "build", "--out", str(out), "--project", str(root))
    assert result.exit_code == 0, result.stderr
    return out


def test_show_prints_markup_in_values_as_plain_text(cli: CliRunner, root: Path) -> None:
    declare(cli, root, "--var", "impact=cards fail [/red]", "--dedupe-key", "synthetic [eu-west]")
    result = cli("show", "INC-1", "--project", str(root))
    assert result.exit_code == 0, result.stderr
    assert "impact=cards fail [/red]" in result.stdout
    assert "Dedupe key: synthetic [eu-west]" in result.stdout


def test_status_and_runbooks_print_markup_as_plain_text(cli: CliRunner, root: Path) -> None:
    path = root / "runbooks" / f"{RUNBOOK}.yaml"
    path.write_text(
        path.read_text("utf-8").replace("en: Online payments failing", "en: '[bold]x[/]'", 1)
    )
    result = cli("runbooks", "--project", str(root))
    assert result.exit_code == 0, result.stderr
    assert "[bold]x[/]" in result.stdout


def test_show_escapes_control_characters_already_in_the_store(cli: CliRunner, root: Path) -> None:
    declare(cli, root, "--var", "impact=cards fail")
    plant(root, "UPDATE incidents SET declared_by = :by", by="mallory\x1b[31m\x07")
    result = cli("show", "INC-1", "--project", str(root))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "mallory\\x1b[31m\\x07" in result.stdout


def test_show_isolates_bidirectional_text(cli: CliRunner, root: Path) -> None:
    declare(cli, root, "--var", f"impact=cards {RLO}liaf")
    result = cli("show", "INC-1", "--project", str(root))
    line = next(line for line in result.stdout.splitlines() if "Variables" in line)
    assert line.startswith(FSI) and line.endswith(PDI)


def test_a_control_character_in_a_stored_message_keeps_the_feed_valid_xml(
    cli: CliRunner, root: Path
) -> None:
    declare(cli, root, "--var", "impact=cards fail")
    plant(root, "UPDATE deliveries SET body = body || :bad, title = title || :bad", bad="\x01\x0b")
    out = site_files(cli, root)
    ET.fromstring((out / "feed.atom").read_bytes())  # parses
    for page in (out / "index.html", *sorted((out / "incidents").glob("*.html"))):
        assert "\x01" not in page.read_text("utf-8") and "\x0b" not in page.read_text("utf-8")


def test_bidirectional_text_on_the_status_page_is_inside_bdi(cli: CliRunner, root: Path) -> None:
    declare(cli, root, "--var", f"impact=cards {RLO}liaf")
    out = site_files(cli, root)
    page = next((out / "incidents").glob("*.html")).read_text("utf-8")
    assert "<bdi>" in page
    for chunk in page.split(RLO)[:-1]:
        assert chunk.rfind("<bdi>") > chunk.rfind("</bdi>")  # every RLO is inside a <bdi>


def test_every_page_sends_a_content_security_policy(cli: CliRunner, root: Path) -> None:
    declare(cli, root, "--var", "impact=cards fail")
    out = site_files(cli, root)
    gallery = root / "gallery.html"
    result = cli("preview", RUNBOOK, "--html", str(gallery), "--project", str(root))
    assert result.exit_code == 0, result.stderr
    policy = (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'"
    )
    for page in (out / "index.html", *(out / "incidents").glob("*.html"), gallery):
        assert policy in page.read_text("utf-8"), page


def test_an_incident_with_control_characters_already_stored_can_still_be_resolved(
    cli: CliRunner, root: Path
) -> None:
    declare(cli, root, "--var", "impact=cards fail")
    plant(root, "UPDATE incidents SET variables = :v", v='{"impact": "cards\\u001b[31m fail"}')
    result = cli("resolve", "INC-1", "--timeout", "1", "--project", str(root))
    assert result.exit_code in (0, 6), result.stderr
