"""SMTP failures name the cause ("SMTP AUTH not supported by 127.0.0.1:2525", "login
refused", "TLS required"), not "Connection error", against real SMTP servers on
127.0.0.1 configured to be strict or misconfigured."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.sinks import SmtpSink, closed_port
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

LOGIN = ("mailer", "s3cret-passw0rd")


def email_error(cli: CliRunner, root: Path, url: str) -> str:
    write_channel(root, "customers-email", kind="email", url=url)
    result = cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--json", "--timeout", "5",
                 "--project", str(root))  # fmt: skip
    assert result.exit_code == 6, result.stderr
    [delivery] = json.loads(result.stdout)["deliveries"]
    assert "s3cret-passw0rd" not in result.stdout + result.stderr
    return str(delivery["error"])


def test_a_server_without_auth_is_named_when_the_url_logs_in(
    cli: CliRunner, project_root: Path
) -> None:
    with SmtpSink() as smtp:
        error = email_error(cli, project_root, smtp.url(login=LOGIN))
        assert error.startswith(f"SMTP AUTH not supported by 127.0.0.1:{smtp.port}")
        assert smtp.messages == []


def test_a_refused_login_is_named(cli: CliRunner, project_root: Path) -> None:
    with SmtpSink(login="refuse") as smtp:
        error = email_error(cli, project_root, smtp.url(login=LOGIN))
        assert error.startswith(f"login refused by 127.0.0.1:{smtp.port} (535")
        assert "check the SMTP user and password" in error


def test_a_server_that_requires_tls_is_named(cli: CliRunner, project_root: Path) -> None:
    with SmtpSink(require_tls=True) as smtp:
        error = email_error(cli, project_root, smtp.url())
        assert error.startswith(f"TLS required by 127.0.0.1:{smtp.port} (530")
        assert "mailtos://" in error


def test_starttls_asked_of_a_server_that_does_not_offer_it_is_named(
    cli: CliRunner, project_root: Path
) -> None:
    with SmtpSink() as smtp:
        error = email_error(cli, project_root, smtp.url(mode="starttls"))
        assert error.startswith(f"TLS not offered by 127.0.0.1:{smtp.port}")


def test_a_refused_connection_is_named(cli: CliRunner, project_root: Path) -> None:
    with closed_port() as port:
        url = f"mailto://127.0.0.1:{port}?mode=insecure&from=a@example.com&to=b@example.com"
        error = email_error(cli, project_root, url)
        assert error.startswith(f"connection refused by 127.0.0.1:{port}")


def test_show_carries_the_cause(cli: CliRunner, project_root: Path) -> None:
    with SmtpSink(login="refuse") as smtp:
        email_error(cli, project_root, smtp.url(login=LOGIN))
        out = cli("show", "INC-1", "--project", str(project_root)).stdout
        assert "login refused by" in out
