"""Never silent (issue #12), where the on-call meets it: through the CLI, on real local
sinks. A broken channel file fails only itself; an incident is bound to the runbook
version approved when it was declared; no blank reaches a customer; a postmortem never
cancels an undelivered resolution; a shortened text keeps its promise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from outagecomms.sinks import HttpSink, closed_port
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel
from tests.never_silent import POISON, break_channel, runbook_variant

FIXED = "Thank you for bearing with us."


def run(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli(*args, "--project", str(root), "--timeout", "2")


def declare(cli: CliRunner, root: Path, *extra: str, runbook: str = RUNBOOK) -> Result:
    return run(cli, root, "declare", runbook, "--var", f"impact={IMPACT}", "--json", *extra)


def document(result: Result) -> Any:
    return json.loads(result.stdout)


def by_channel(result: Result) -> dict[str, dict[str, Any]]:
    return {d["channel"]: d for d in document(result)["deliveries"]}


def edit_update_text(root: Path, text: str = FIXED) -> None:
    """A small edit of the runbook's "still working on it" chat and email text (English)."""
    path = root / "runbooks" / f"{RUNBOOK}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    update = data["messages"]["update"]
    update["chat"]["en"] = f"{update['chat']['en']} {text}"
    update["long"]["en"]["body"] = f"{update['long']['en']['body']}\n\n{text}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def approve(cli: CliRunner, root: Path) -> None:
    result = cli("approve", RUNBOOK, "--by", "Dana Kim", "--project", str(root))
    assert result.exit_code == 0, result.stderr


def declared_then_edited(cli: CliRunner, root: Path, *, approve_the_edit: bool = False) -> None:
    """INC-1 declared from the approved runbook, then the file edited (and approved)."""
    approve(cli, root)
    declare(cli, root)
    edit_update_text(root)
    if approve_the_edit:
        approve(cli, root)


def slack_texts(http: HttpSink, count: int) -> list[str]:
    return [request.json["message"] for request in http.wait_for(count, path="/slack")]


# --- 1. a template that raises is a runbook problem, not a crash -------------------------


def test_a_template_that_raises_at_declare_is_one_clear_error_not_a_crash(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    runbook_variant(project_root, "poisoned", "investigating", f"Right now {POISON} min.")
    result = declare(cli, project_root, runbook="poisoned")
    assert result.exit_code == 5
    assert result.stderr.startswith("outagecomms: error: ") and "ZeroDivisionError" in result.stderr
    assert "Traceback" not in result.stderr and http.requests == []


# --- 2. one broken channel file fails only itself ------------------------------------------


def test_declare_sends_to_every_valid_channel_when_one_channel_file_is_broken(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    break_channel(project_root, "ops-pager", "kind: pager")
    result = declare(cli, project_root)
    states = {name: d["state"] for name, d in by_channel(result).items()}
    assert result.exit_code == 6
    assert states == {**dict.fromkeys(sink_channels, "sent"), "ops-pager": "failed"}


def test_a_broken_channel_file_is_reported_with_file_line_and_the_fix(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    break_channel(project_root, "ops-pager", "kind: pager")
    error = by_channel(declare(cli, project_root))["ops-pager"]["error"]
    assert "channels/ops-pager.yaml:3: kind:" in error and "fix the file" in error


def test_the_table_shows_a_broken_channel_file_as_a_failed_channel(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    break_channel(project_root, "ops-pager", "kind: pager")
    result = run(cli, project_root, "declare", RUNBOOK, "--var", f"impact={IMPACT}")
    assert "failed (channel file broken)" in result.stdout
    assert "ops-pager" in result.stderr  # the warning names it


def test_an_unclosed_quote_in_one_channel_file_does_not_stop_declare(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    (project_root / "channels" / "ops-hook.yaml").write_text(
        'name: ops-hook\nkind: webhook\nurl: "json://127.0.0.1:9/x\n', encoding="utf-8"
    )
    result = declare(cli, project_root)
    assert (result.exit_code, by_channel(result)["customers-email"]["state"]) == (6, "sent")


def test_declare_to_a_named_valid_channel_ignores_another_broken_file(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    break_channel(project_root, "ops-pager", "kind: pager")
    result = declare(cli, project_root, "--channel", "customers-email")
    assert (result.exit_code, list(by_channel(result))) == (0, ["customers-email"])


# --- 3. bound to what was approved -------------------------------------------------------


@pytest.mark.usefixtures("real_approvals")
def test_an_update_after_the_runbook_file_was_edited_sends_the_pinned_words(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared_then_edited(cli, project_root)
    result = run(cli, project_root, "update", "INC-1", "--json")
    assert result.exit_code == 0, result.stderr
    assert not any(FIXED in text for text in slack_texts(http, 2))


@pytest.mark.usefixtures("real_approvals")
def test_moving_to_the_latest_runbook_version_is_refused_until_it_is_approved(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared_then_edited(cli, project_root)
    result = run(cli, project_root, "update", "INC-1", "--runbook-version", "latest")
    assert result.exit_code == 4
    assert "approve" in result.stderr


@pytest.mark.usefixtures("real_approvals")
def test_update_runbook_version_latest_moves_to_the_newly_approved_words(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared_then_edited(cli, project_root, approve_the_edit=True)
    result = run(cli, project_root, "update", "INC-1", "--runbook-version", "latest")
    assert result.exit_code == 0, result.stderr
    assert FIXED in slack_texts(http, 2)[-1]


@pytest.mark.usefixtures("real_approvals")
def test_a_newly_approved_version_is_used_by_incidents_declared_after_it(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared_then_edited(cli, project_root, approve_the_edit=True)
    declare(cli, project_root)
    run(cli, project_root, "update", "INC-1")
    run(cli, project_root, "update", "INC-2")
    texts = slack_texts(http, 4)
    assert (FIXED in texts[2], FIXED in texts[3]) == (False, True)


@pytest.mark.usefixtures("real_approvals")
def test_show_tells_the_pinned_version_and_that_the_file_moved_on(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared_then_edited(cli, project_root)
    shown = cli("show", "INC-1", "--project", str(project_root)).stdout
    detail = document(cli("show", "INC-1", "--json", "--project", str(project_root)))
    assert "(pinned at declare)" in shown and "--runbook-version latest" in shown
    assert detail["runbook_version"] != detail["runbook_file_version"]


# --- 4. no blank reaches a customer ------------------------------------------------------


def blank_eta_runbook(root: Path) -> str:
    runbook_variant(
        root,
        "eta-unguarded",
        "investigating",
        "Right now {{ impact }}. We expect a fix within {{ eta }}. "
        "Next update by {{ next_update_at }}.",
    )
    return "eta-unguarded"


def test_declare_refuses_to_send_an_empty_optional_variable_printed_unguarded(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    result = declare(cli, project_root, runbook=blank_eta_runbook(project_root))
    assert result.exit_code == 2
    assert "'eta'" in result.stderr and "--var eta=" in result.stderr
    assert http.requests == []


# --- 5. a postmortem never cancels an undelivered resolution -----------------------------


def test_a_postmortem_does_not_cancel_a_resolution_that_was_not_delivered(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    with closed_port() as port:
        write_channel(project_root, "x-posts", kind="x", url=f"json://127.0.0.1:{port}/x")
        assert run(cli, project_root, "resolve", "INC-1").exit_code == 6
        run(cli, project_root, "postmortem", "INC-1")
    shown = document(cli("show", "INC-1", "--json", "--project", str(project_root)))
    on_x = {
        message["phase"]: delivery["state"]
        for message in shown["timeline"]
        for delivery in message["deliveries"]
        if delivery["channel"] == "x-posts"
    }
    assert (on_x["resolved"], on_x["postmortem"]) == ("retry", "queued")


# --- 6. fitting at send time keeps the promise ------------------------------------------

FILLER = " ".join(["We are looking into every part of the payment path right now."] * 6)


def long_post_runbook(root: Path) -> str:
    runbook_variant(
        root,
        "long-post",
        "investigating",
        f"Payments issue: {{{{ impact }}}}. {FILLER} Next update by {{{{ next_update_at }}}}. "
        "{{ status_url }}",
    )
    return "long-post"


def test_a_shortened_post_keeps_the_next_update_time_and_the_status_link(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declare(cli, project_root, runbook=long_post_runbook(project_root))
    [request] = http.wait_for(1, path="/x")
    text = request.json["message"]
    assert "Next update by" in text and "status" in text.rsplit("Next update by", 1)[1]


def test_the_table_shows_that_a_text_was_cut_and_from_what_length(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    runbook = long_post_runbook(project_root)
    result = run(cli, project_root, "declare", runbook, "--var", f"impact={IMPACT}")
    assert "cut from" in result.stdout


def test_the_internal_copy_is_fitted_to_its_own_channels_limit(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    write_channel(
        project_root, "team-slack", kind="slack", audience="internal", limit=300,
        url=http.url("/slack"),
    )  # fmt: skip
    slack = by_channel(declare(cli, project_root))["team-slack"]
    [text] = slack_texts(http, 1)
    assert slack["length"] <= 300 and len(text) <= 300
    assert text.startswith("[INC-1 · internal]")
