"""The GitHub Action (``action.yml``), its steps run as a runner runs them, against local
SMTP/HTTP sinks and a real state database: declare, repeated declare, resolve, flaps."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from outagecomms.sinks import HttpSink, SmtpSink
from outagecomms.store import open_store
from outagecomms.store import repository as repo
from tests.ci.conftest import ActionRun, ActionRunner
from tests.incidents.conftest import IMPACT, RUNBOOK

KEY = "synthetic-payments"
SECRETS = {"STATUS_HOOK_PATH": "status"}
"""The channels' ${VAR}s, as the calling step's ``env:`` passes them from secrets."""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'state.db'}"


@pytest.fixture
def declare(action: ActionRunner, ci_project: Path, database_url: str) -> ActionRunnerCall:
    return ActionRunnerCall(action, ci_project, database_url, "declare")


@pytest.fixture
def resolve(action: ActionRunner, ci_project: Path, database_url: str) -> ActionRunnerCall:
    return ActionRunnerCall(action, ci_project, database_url, "resolve")


class ActionRunnerCall:
    """One use of the action, as in examples/synthetic-check.yml."""

    def __init__(self, action: ActionRunner, project: Path, database_url: str, mode: str):
        self.action, self.project, self.database_url, self.mode = (
            action, project, database_url, mode,
        )  # fmt: skip

    def __call__(self, env: dict[str, str] | None = None, **inputs: str) -> ActionRun:
        given = {
            "mode": self.mode,
            "dedupe-key": KEY,
            "database-url": self.database_url,
            "project": str(self.project),
            "timeout": "2",
        }
        if self.mode == "declare":
            given |= {"runbook": RUNBOOK, "variables": f"impact={IMPACT}\nscope=card payers\n"}
        return self.action({**given, **inputs}, {**SECRETS, **(env or {})})


def move_resolution_back(database_url: str, incident: int, by: timedelta) -> None:
    with open_store(database_url) as store, store.write() as conn:
        found = repo.get_incident(conn, incident)
        assert found is not None and found.resolved_at is not None
        repo.update_incident(conn, incident, resolved_at=found.resolved_at - by)


# --- declare ---------------------------------------------------------------------------


def test_declare_outputs_the_new_incident(declare: ActionRunnerCall) -> None:
    result = declare()
    assert result.exit_code == 0, result.stdout + result.stderr
    assert {k: result.outputs[k] for k in ("incident-id", "deduplicated", "reopened", "sent",
                                           "status", "phase", "exit-code")} == {
        "incident-id": "INC-1", "deduplicated": "false", "reopened": "false", "sent": "true",
        "status": "open", "phase": "investigating", "exit-code": "0",
    }  # fmt: skip


def test_declare_sends_the_first_message_to_every_channel(
    declare: ActionRunnerCall, http: HttpSink, smtp: SmtpSink
) -> None:
    declare()
    [mail] = smtp.wait_for(1)
    assert mail.subject == "Online payments are failing: we are on it"
    assert len(http.wait_for(1, path="/status")) == 1
    assert len(http.wait_for(1, path="/slack")) == 1


def test_channel_secrets_come_from_the_steps_environment(
    declare: ActionRunnerCall, http: HttpSink
) -> None:
    declare(env={"STATUS_HOOK_PATH": "other-hook"})
    assert len(http.wait_for(1, path="/other-hook")) == 1


def test_the_json_output_is_the_clis_document(declare: ActionRunnerCall) -> None:
    document = json.loads(declare().outputs["json"])
    assert document["incident"]["id"] == "INC-1"
    assert {d["channel"] for d in document["deliveries"]} == {
        "customers-email", "status-hook", "team-slack",
    }  # fmt: skip


def test_the_workflow_run_is_named_as_the_declarer(
    declare: ActionRunnerCall, http: HttpSink
) -> None:
    declare()
    [request] = http.wait_for(1, path="/slack")
    assert "Declared by: github-actions: synthetic check #42" in request.json["message"]


def test_declare_writes_a_line_to_the_job_summary(declare: ActionRunnerCall) -> None:
    assert "INC-1, open; message sent" in declare().summary


# --- repeated declare --------------------------------------------------------------------


def test_a_repeated_declare_is_deduplicated_and_exits_0(declare: ActionRunnerCall) -> None:
    declare()
    again = declare()
    assert again.exit_code == 0
    assert (again.outputs["incident-id"], again.outputs["deduplicated"]) == ("INC-1", "true")
    assert again.outputs["sent"] == "false"


def test_a_repeated_declare_sends_no_duplicate_message(
    declare: ActionRunnerCall, http: HttpSink, smtp: SmtpSink
) -> None:
    declare()
    declare()
    declare()
    assert len(smtp.wait_for(1)) == 1
    assert len(http.requests) == 2  # status-hook and team-slack, once each


# --- resolve -----------------------------------------------------------------------------


def test_resolve_resolves_the_keys_open_incident(
    declare: ActionRunnerCall, resolve: ActionRunnerCall
) -> None:
    declare()
    result = resolve()
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (result.outputs["incident-id"], result.outputs["status"]) == ("INC-1", "resolved")
    assert result.outputs["sent"] == "true"


def test_resolve_sends_the_resolution_once(
    declare: ActionRunnerCall, resolve: ActionRunnerCall, smtp: SmtpSink
) -> None:
    declare()
    resolve()
    resolve()
    mails = smtp.wait_for(2)
    assert len(mails) == 2
    assert "resolved" in mails[1].subject.lower()


def test_a_repeated_resolve_sends_nothing_and_exits_0(
    declare: ActionRunnerCall, resolve: ActionRunnerCall
) -> None:
    declare()
    resolve()
    again = resolve()
    assert again.exit_code == 0
    assert (again.outputs["incident-id"], again.outputs["deduplicated"]) == ("INC-1", "true")
    assert again.outputs["sent"] == "false"


def test_resolve_before_any_declare_sends_nothing_and_exits_0(
    resolve: ActionRunnerCall, http: HttpSink
) -> None:
    result = resolve()
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (result.outputs["incident-id"], result.outputs["sent"]) == ("", "false")
    assert http.requests == []


# --- flaps -------------------------------------------------------------------------------


def test_a_failure_within_the_cooldown_reopens_the_same_incident(
    declare: ActionRunnerCall, resolve: ActionRunnerCall
) -> None:
    declare(cooldown="30m")
    resolve()
    flap = declare(cooldown="30m")
    assert flap.exit_code == 0, flap.stdout + flap.stderr
    assert {k: flap.outputs[k] for k in ("incident-id", "reopened", "deduplicated", "status")} == {
        "incident-id": "INC-1", "reopened": "true", "deduplicated": "false", "status": "open",
    }  # fmt: skip


def test_a_flap_posts_an_update_not_a_new_investigating_message(
    declare: ActionRunnerCall, resolve: ActionRunnerCall, smtp: SmtpSink
) -> None:
    declare(cooldown="30m")
    resolve()
    declare(cooldown="30m")
    subjects = [mail.subject for mail in smtp.wait_for(3)]
    assert subjects[0] == "Online payments are failing: we are on it"
    assert subjects[2] == "Online payments: still working on it"


def test_a_flap_is_a_notice_on_the_run(
    declare: ActionRunnerCall, resolve: ActionRunnerCall
) -> None:
    declare(cooldown="30m")
    resolve()
    [notice] = declare(cooldown="30m").annotated("notice")
    assert notice.startswith("::notice::outagecomms: INC-1 re-opened")


def test_repeated_failures_after_a_flap_are_deduplicated(
    declare: ActionRunnerCall, resolve: ActionRunnerCall, smtp: SmtpSink
) -> None:
    declare(cooldown="30m")
    resolve()
    declare(cooldown="30m")
    again = declare(cooldown="30m")
    assert (again.outputs["incident-id"], again.outputs["deduplicated"]) == ("INC-1", "true")
    assert len(smtp.wait_for(3)) == 3


def test_a_failure_after_the_cooldown_declares_a_new_incident(
    declare: ActionRunnerCall, resolve: ActionRunnerCall, database_url: str
) -> None:
    declare(cooldown="30m")
    resolve()
    move_resolution_back(database_url, 1, timedelta(minutes=31))
    later = declare(cooldown="30m")
    assert (later.outputs["incident-id"], later.outputs["reopened"]) == ("INC-2", "false")
    assert later.outputs["phase"] == "investigating"


# --- failures and annotations ----------------------------------------------------------


def test_a_channel_failing_its_first_attempt_warns_without_failing_the_job(
    declare: ActionRunnerCall, http: HttpSink
) -> None:
    http.behave("/status", status=500)
    result = declare()
    assert (result.exit_code, result.outputs["exit-code"]) == (0, "6")
    assert result.outputs["queued-channels"] == "status-hook"
    [warning] = [a for a in result.annotated("warning") if "status-hook" in a]
    assert warning.startswith("::warning::outagecomms: INC-1: channel(s) status-hook failed")


def test_fail_on_queued_fails_the_job_with_exit_6(
    declare: ActionRunnerCall, http: HttpSink
) -> None:
    http.behave("/status", status=500)
    result = declare(**{"fail-on-queued": "true"})
    assert result.exit_code == 6
    [error] = result.annotated("error")
    assert error.startswith("::error::outagecomms: INC-1: channel(s)")


def test_an_unapproved_runbook_fails_with_exit_4_and_the_clis_one_line_reason(
    declare: ActionRunnerCall, ci_project: Path
) -> None:
    (ci_project / "runbooks" / "approvals.lock").unlink()
    result = declare()
    assert (result.exit_code, result.outputs["exit-code"]) == (4, "4")
    [error] = result.annotated("error")
    assert error.startswith("::error::outagecomms: error: ")
    assert "approve" in error


def test_an_unknown_runbook_fails_with_exit_3(declare: ActionRunnerCall) -> None:
    result = declare(runbook="no-such-runbook")
    assert result.exit_code == 3
    [error] = result.annotated("error")
    assert error.startswith("::error::outagecomms: error: ")


def test_input_values_never_run_as_shell_code(
    declare: ActionRunnerCall, action: ActionRunner, http: HttpSink
) -> None:
    declare(variables="impact=fails $(touch pwned) `touch pwned`")
    [request] = http.wait_for(1, path="/slack")
    assert not (action.workspace / "pwned").exists()
    assert "fails $(touch pwned) `touch pwned`" in request.json["message"]


# --- the same story on PostgreSQL --------------------------------------------------------


@pytest.mark.postgres
def test_declare_dedupe_resolve_and_flap_on_postgres(
    action: ActionRunner, ci_project: Path, postgres_url: str, smtp: SmtpSink
) -> None:
    declare = ActionRunnerCall(action, ci_project, postgres_url, "declare")
    resolve = ActionRunnerCall(action, ci_project, postgres_url, "resolve")
    story = [
        declare(cooldown="30m"),
        declare(cooldown="30m"),
        resolve(),
        resolve(),
        declare(cooldown="30m"),
    ]
    assert [r.exit_code for r in story] == [0] * 5
    assert [(r.outputs["incident-id"], r.outputs["sent"]) for r in story] == [
        ("INC-1", "true"), ("INC-1", "false"), ("INC-1", "true"), ("INC-1", "false"),
        ("INC-1", "true"),
    ]  # fmt: skip
    assert story[-1].outputs["reopened"] == "true"
    assert len(smtp.wait_for(3)) == 3
