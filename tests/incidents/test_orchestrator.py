"""The orchestrator's Python API, with a controlled clock and a stand-in sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outagecomms.delivery import Outgoing, RetryPolicy
from outagecomms.errors import NotFoundError, RefusedError, UsageError
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase, Severity
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.tables import deliveries, incidents, messages
from tests.incidents.conftest import IMPACT, RUNBOOK, T0, Approvals, Clock, FakeSender

VARS = {"impact": IMPACT}


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return len(conn.execute(select(table)).all())  # type: ignore[call-overload]


def states(store: Store) -> dict[str, str]:
    with store.read() as conn:
        rows = conn.execute(select(deliveries.c.channel, deliveries.c.state)).all()
    return {channel: state for channel, state in rows}


# --- declare -------------------------------------------------------------------------


def test_declare_gives_a_short_typeable_id(orchestrator: Orchestrator) -> None:
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    assert report.incident.id == "INC-1"


def test_incident_ids_are_accepted_in_any_case_or_as_a_number(
    orchestrator: Orchestrator,
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    assert orchestrator.incident("inc-1").id == orchestrator.incident("1").id == "INC-1"


def test_declare_sends_one_delivery_per_enabled_channel(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    assert sorted(item.channel.name for item in sender.sent) == fake_channels
    assert {d.state for d in report.deliveries} == {"sent"}


def test_declare_with_channel_option_sends_only_there(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"])
    assert [item.channel.name for item in sender.sent] == ["x-posts"]


def test_message_and_deliveries_are_committed_before_the_first_send(
    orchestrator: Orchestrator, sender: FakeSender, store: Store
) -> None:
    seen: list[dict[str, str]] = []
    sender.during = lambda items: seen.append(states(store))
    orchestrator.declare(RUNBOOK, variables=VARS)
    assert seen == [{"customers-email": "sending", "team-slack": "sending", "x-posts": "sending"}]


def test_next_update_at_follows_the_runbook_cadence_for_the_severity(
    orchestrator: Orchestrator,
) -> None:
    report = orchestrator.declare(RUNBOOK, variables=VARS, severity=Severity.CRITICAL)
    assert report.incident.next_update_at == T0 + timedelta(minutes=30)


def test_cadence_override_sets_the_next_update(orchestrator: Orchestrator) -> None:
    report = orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(minutes=5))
    assert report.incident.next_update_at == T0 + timedelta(minutes=5)


def test_the_promised_time_is_in_every_message(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(minutes=45))
    assert all("12:45" in item.body for item in sender.sent)


def test_unknown_runbook_is_not_found(orchestrator: Orchestrator) -> None:
    with pytest.raises(NotFoundError):
        orchestrator.declare("no-such-runbook", variables=VARS)


def test_bad_variable_is_a_usage_error_and_writes_nothing(
    orchestrator: Orchestrator, store: Store
) -> None:
    with pytest.raises(UsageError):
        orchestrator.declare(RUNBOOK, variables={"impactt": IMPACT})
    assert count(store, incidents) == 0


def test_missing_required_variable_is_a_usage_error(orchestrator: Orchestrator) -> None:
    with pytest.raises(UsageError, match="impact"):
        orchestrator.declare(RUNBOOK, variables={})


def test_unapproved_runbook_is_refused_and_nothing_written(
    orchestrator: Orchestrator, store: Store, approvals: Approvals
) -> None:
    approvals.refused.add(RUNBOOK)
    with pytest.raises(RefusedError):
        orchestrator.declare(RUNBOOK, variables=VARS)
    assert count(store, incidents) == 0


def test_break_glass_reason_is_passed_to_the_approval_check(
    orchestrator: Orchestrator, approvals: Approvals
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, unapproved_reason="approver on leave")
    assert approvals.calls == [(RUNBOOK, "approver on leave")]


def test_follow_ups_of_a_break_glass_incident_stay_sendable(
    orchestrator: Orchestrator, approvals: Approvals
) -> None:
    approvals.refused.add(RUNBOOK)
    orchestrator.declare(RUNBOOK, variables=VARS, unapproved_reason="approver on leave")
    assert orchestrator.update("INC-1").incident.id == "INC-1"


def test_an_update_renders_from_the_pinned_approval_when_the_file_lost_its_approval(
    orchestrator: Orchestrator, approvals: Approvals
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    approvals.refused.add(RUNBOOK)
    assert orchestrator.update("INC-1").failed == []


def test_moving_to_the_latest_runbook_is_refused_when_the_file_lost_its_approval(
    orchestrator: Orchestrator, approvals: Approvals
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    approvals.refused.add(RUNBOOK)
    with pytest.raises(RefusedError):
        orchestrator.update("INC-1", runbook_version="latest")


def test_break_glass_reason_is_recorded_on_the_incident_and_in_the_event_log(
    orchestrator: Orchestrator,
) -> None:
    report = orchestrator.declare(RUNBOOK, variables=VARS, unapproved_reason="approver on leave")
    detail = orchestrator.show(report.incident.id)
    assert detail.incident.break_glass_reason == "approver on leave"
    assert any(
        e.kind == "incident.break_glass" and e.detail["reason"] == "approver on leave"
        for e in detail.events
    )


# --- failures and retries --------------------------------------------------------------


def test_a_failed_first_attempt_stays_queued_with_a_retry_time(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    sender = FakeSender(failing={"x-posts"})
    policy = RetryPolicy(initial=timedelta(seconds=30), maximum=timedelta(minutes=5), budget=3)
    orchestrator = Orchestrator(
        Project(project_root), store, clock=clock, sender=sender, gate=Approvals(), retry=policy
    )
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    [failed] = report.failed
    assert (failed.channel, failed.state, failed.attempts) == ("x-posts", "retry", 1)
    assert T0 + timedelta(seconds=24) <= failed.due_at <= T0 + timedelta(seconds=30)  # type: ignore[operator]
    assert failed.last_error == "HTTP 500 from receiver"


def test_the_other_channels_are_sent_when_one_fails(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    orchestrator = Orchestrator(
        Project(project_root),
        store,
        clock=clock,
        sender=FakeSender(failing={"x-posts"}),
        gate=Approvals(),
    )
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    assert {d.channel: d.state for d in report.deliveries} == {
        "customers-email": "sent",
        "team-slack": "sent",
        "x-posts": "retry",
    }


def test_a_spent_retry_budget_marks_the_delivery_failed(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    policy = RetryPolicy(initial=timedelta(seconds=30), maximum=timedelta(minutes=5), budget=1)
    orchestrator = Orchestrator(
        Project(project_root),
        store,
        clock=clock,
        sender=FakeSender(failing={"x-posts"}),
        gate=Approvals(),
        retry=policy,
    )
    [failed] = orchestrator.declare(RUNBOOK, variables=VARS).failed
    assert (failed.state, failed.due_at) == ("failed", None)


def test_a_sender_that_raises_leaves_every_delivery_queued_for_retry(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    def broken(items: Sequence[Outgoing], **options: object) -> list[object]:
        raise RuntimeError("bug")

    orchestrator = Orchestrator(
        Project(project_root), store, clock=clock, sender=broken, gate=Approvals()
    )
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    assert {d.state for d in report.deliveries} == {"retry"}


def test_a_crash_after_the_commit_and_before_sending_loses_nothing(
    orchestrator: Orchestrator, sender: FakeSender, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Crash(BaseException):
        pass

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    monkeypatch.setattr(repo, "start_sending", crash)
    with pytest.raises(Crash):
        orchestrator.declare(RUNBOOK, variables=VARS)
    assert sender.batches == []
    assert states(store) == {
        "customers-email": "queued",
        "team-slack": "queued",
        "x-posts": "queued",
    }


# --- dedupe ------------------------------------------------------------------------


def test_declare_with_an_open_dedupe_key_returns_that_incident(
    orchestrator: Orchestrator,
) -> None:
    first = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    second = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    assert (second.incident.id, second.deduplicated) == (first.incident.id, True)


def test_a_deduplicated_declare_sends_nothing(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    sender.batches.clear()
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    assert sender.batches == []


def test_the_unique_index_settles_a_dedupe_race(
    orchestrator: Orchestrator, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both declares looked the key up before either committed: the insert decides."""
    first = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    real = repo.open_incident_by_dedupe_key
    lookups: list[str] = []

    def not_yet_committed(conn: object, key: str) -> object:
        lookups.append(key)
        return None if len(lookups) <= 2 else real(conn, key)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "open_incident_by_dedupe_key", not_yet_committed)
    second = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    assert (second.incident.id, second.deduplicated) == (first.incident.id, True)
    assert count(store, incidents) == 1


def test_resolve_frees_the_dedupe_key_for_a_new_incident(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    orchestrator.resolve(dedupe_key="ci-payments")
    again = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    assert (again.incident.id, again.deduplicated) == ("INC-2", False)


def test_resolve_by_the_dedupe_key_of_a_resolved_incident_is_refused(
    orchestrator: Orchestrator,
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key="ci-payments")
    orchestrator.resolve(dedupe_key="ci-payments")
    with pytest.raises(RefusedError, match="INC-1"):
        orchestrator.resolve(dedupe_key="ci-payments")


def test_resolve_by_unknown_dedupe_key_is_not_found(orchestrator: Orchestrator) -> None:
    with pytest.raises(NotFoundError):
        orchestrator.resolve(dedupe_key="never-declared")


# --- update, resolve, postmortem -------------------------------------------------------


def test_update_restarts_the_cadence_from_now(orchestrator: Orchestrator, clock: Clock) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    later = clock.advance(minutes=20)
    report = orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    assert report.incident.next_update_at == later + timedelta(minutes=60)


def test_update_keeps_the_cadence_override(orchestrator: Orchestrator, clock: Clock) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(minutes=10))
    later = clock.advance(minutes=7)
    report = orchestrator.update("INC-1")
    assert report.incident.next_update_at == later + timedelta(minutes=10)


def test_update_moves_the_incident_to_its_phase(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    assert orchestrator.update("INC-1", phase=Phase.MONITORING).incident.phase == "monitoring"


def test_a_still_working_update_keeps_the_lifecycle_phase(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    assert orchestrator.update("INC-1", phase=Phase.UPDATE).incident.phase == "identified"


def test_update_reuses_the_declared_variables(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    orchestrator.update("INC-1")
    assert all(IMPACT in item.body for item in sender.sent)


def test_update_var_overrides_a_declared_variable(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    orchestrator.update("INC-1", variables={"impact": "wallet payments fail"})
    assert all("wallet payments fail" in item.body for item in sender.sent)
    assert orchestrator.incident("INC-1").variables["impact"] == "wallet payments fail"


def test_update_cannot_post_the_resolution(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    with pytest.raises(UsageError, match="resolve"):
        orchestrator.update("INC-1", phase=Phase.RESOLVED)


def test_update_of_an_unknown_incident_is_not_found(orchestrator: Orchestrator) -> None:
    with pytest.raises(NotFoundError):
        orchestrator.update("INC-99")


def test_resolve_ends_the_promise_of_updates(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    incident = orchestrator.resolve("INC-1").incident
    assert (incident.status, incident.phase, incident.next_update_at) == (
        "resolved",
        "resolved",
        None,
    )


def test_update_of_a_resolved_incident_is_refused(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.resolve("INC-1")
    with pytest.raises(RefusedError):
        orchestrator.update("INC-1")


def test_resolving_twice_is_refused(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.resolve("INC-1")
    with pytest.raises(RefusedError):
        orchestrator.resolve("INC-1")


def test_resolve_cancels_never_sent_deliveries_of_earlier_messages(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    sender = FakeSender(failing={"x-posts"})
    orchestrator = Orchestrator(
        Project(project_root), store, clock=clock, sender=sender, gate=Approvals()
    )
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.failing.clear()
    orchestrator.resolve("INC-1")
    [first, _] = orchestrator.show("INC-1").timeline
    assert {d.channel: d.state for d in first.deliveries}["x-posts"] == "cancelled"


def test_postmortem_of_an_open_incident_is_refused(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    with pytest.raises(RefusedError, match="resolve"):
        orchestrator.postmortem("INC-1")


def test_postmortem_after_resolve_is_sent(orchestrator: Orchestrator, sender: FakeSender) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.resolve("INC-1")
    sender.batches.clear()
    report = orchestrator.postmortem("INC-1")
    assert (report.message.phase if report.message else None, len(sender.sent)) == (
        "postmortem",
        3,
    )


# --- internal copies, status, show ------------------------------------------------------


def test_internal_channel_gets_the_customer_words_and_the_facts(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, unapproved_reason="approver on leave")
    slack = next(item for item in sender.sent if item.channel.name == "team-slack")
    for fact in ("INC-1", "alice", f"impact={IMPACT}", "approver on leave", "x-posts"):
        assert fact in slack.body
    assert "Next update by" in slack.body


def test_customer_channels_never_get_the_internal_facts(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, unapproved_reason="approver on leave")
    customers = [item for item in sender.sent if item.channel.name != "team-slack"]
    assert all("approver on leave" not in item.body for item in customers)


def test_the_declarer_defaults_to_the_actor_given(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    assert orchestrator.incident("INC-1").declared_by == "alice"


def test_status_lists_open_incidents_only(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.resolve("INC-1")
    assert [row.incident.id for row in orchestrator.status()] == ["INC-2"]


def test_status_all_includes_resolved_incidents(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.resolve("INC-1")
    assert [row.incident.id for row in orchestrator.status(include_resolved=True)] == ["INC-1"]


def test_status_counts_failed_deliveries(
    project_root: Path, fake_channels: list[str], store: Store, clock: Clock
) -> None:
    policy = RetryPolicy(initial=timedelta(seconds=30), maximum=timedelta(minutes=5), budget=1)
    orchestrator = Orchestrator(
        Project(project_root), store, clock=clock, sender=FakeSender(failing={"x-posts"}),
        gate=Approvals(), retry=policy,
    )  # fmt: skip
    orchestrator.declare(RUNBOOK, variables=VARS)
    assert orchestrator.status()[0].failed_deliveries == 1


def test_show_gives_every_message_in_order(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    orchestrator.resolve("INC-1")
    timeline = orchestrator.show("INC-1").timeline
    assert [entry.message.phase for entry in timeline] == [
        "investigating",
        "identified",
        "resolved",
    ]


def test_each_phase_is_one_message_with_one_delivery_per_channel(
    orchestrator: Orchestrator, store: Store
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    assert (count(store, messages), count(store, deliveries)) == (2, 6)


# --- errors in the domain's terms ------------------------------------------------------


def test_an_api_error_names_the_parameter_not_a_command_line_flag(
    orchestrator: Orchestrator,
) -> None:
    with pytest.raises(UsageError) as raised:
        orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(0))
    assert (raised.value.parameter, str(raised.value)) == (
        "cadence",
        "cadence must be positive; write it like 30m",
    )


def test_an_api_error_says_which_parameter_for_each_layer_to_name(
    orchestrator: Orchestrator,
) -> None:
    with pytest.raises(UsageError) as raised:
        orchestrator.resolve("INC-1", dedupe_key="ci-payments-check")
    assert raised.value.naming("--dedupe-key") == (
        "resolve takes an incident id or --dedupe-key, exactly one"
    )
    assert "--" not in str(raised.value)


def test_a_store_error_names_the_database_url_setting_not_the_flag(tmp_path: Path) -> None:
    from outagecomms.errors import StoreError
    from outagecomms.store import open_store

    with pytest.raises(StoreError) as raised:
        open_store("mysql://127.0.0.1/state")
    assert raised.value.parameter == "database_url"
    assert "(database_url or OUTAGECOMMS_DATABASE_URL)" in str(raised.value)
