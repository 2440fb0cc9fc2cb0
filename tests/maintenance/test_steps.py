"""The worker drives every step of a window: announcement at once, reminders at the
runbook's remind_before offsets, started, completed; once each, in order, on each backend."""

from __future__ import annotations

from datetime import timedelta

from outagecomms.maintenance import Maintenance
from outagecomms.sinks import HttpSink, SmtpSink
from outagecomms.store import Store
from outagecomms.store.components_repo import current_status
from outagecomms.worker import Worker
from tests.incidents.conftest import Clock
from tests.maintenance.conftest import IMPACT, RUNBOOK

ANNOUNCED = "Scheduled maintenance on"
REMINDED = "Reminder: scheduled maintenance"
STARTED = "Scheduled maintenance has started"
STILL_UNDER_WAY = "Scheduled maintenance: still under way"
COMPLETED = "Maintenance complete"
CANCELLED = "is cancelled"


def _told(smtp: SmtpSink) -> list[str]:
    """Each email's step, by its subject."""
    steps = []
    for message in smtp.messages:
        for step in (CANCELLED, ANNOUNCED, REMINDED, STARTED, STILL_UNDER_WAY, COMPLETED):
            if step in message.subject:
                steps.append(step)
                break
        else:
            steps.append(message.subject)
    return steps


def _schedule(maintenance: Maintenance, start: str = "+25h", end: str = "+27h") -> str:
    view = maintenance.schedule(RUNBOOK, start=start, end=end, variables={"impact": IMPACT})
    return view.window.ref


def _at(worker: Worker, clock: Clock, *hours: float) -> None:
    """Run the worker (twice: the second step must take nothing) at each hour from now."""
    t0 = clock.now
    for hour in hours:
        clock.now = t0 + timedelta(hours=hour)
        worker.run_once()
        worker.run_once()


def test_the_announcement_goes_out_when_the_window_is_scheduled(
    maintenance: Maintenance, smtp: SmtpSink
) -> None:
    _schedule(maintenance)
    assert _told(smtp) == [ANNOUNCED]


def test_each_step_reaches_the_sinks_once_in_order(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink, http: HttpSink
) -> None:
    _schedule(maintenance)
    _at(worker, clock, 0.5, 1, 2, 24, 25, 25.5, 26, 27, 28)
    assert _told(smtp) == [
        ANNOUNCED,
        REMINDED,  # 24h before
        REMINDED,  # 1h before
        STARTED,
        STILL_UNDER_WAY,  # the runbook's cadence: an update an hour into the window
        COMPLETED,
    ]
    assert len([r for r in http.requests if r.path == "/x"]) == 6


def test_a_reminder_already_past_when_scheduled_is_skipped(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    _schedule(maintenance, start="+3h", end="+4h")  # 24h before is in the past
    _at(worker, clock, 2, 3, 4)
    assert _told(smtp) == [ANNOUNCED, REMINDED, STARTED, COMPLETED]


def test_a_worker_down_through_the_reminders_catches_up_once(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    _schedule(maintenance)
    _at(worker, clock, 24.5)  # both reminders due: only the latest goes out
    assert _told(smtp) == [ANNOUNCED, REMINDED]


def test_a_worker_down_past_the_start_sends_started_not_the_reminders(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    _schedule(maintenance)
    _at(worker, clock, 25.2, 27)
    assert _told(smtp) == [ANNOUNCED, STARTED, COMPLETED]


def test_two_workers_take_each_step_once(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    other = Worker(worker.orchestrator, scheduled=Maintenance(worker.orchestrator))  # type: ignore[arg-type]
    _schedule(maintenance, start="+2h", end="+3h")
    clock.advance(hours=1)
    worker.run_once()
    other.run_once()
    assert _told(smtp) == [ANNOUNCED, REMINDED]


def test_cancel_sends_one_notice_and_nothing_after(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    ref = _schedule(maintenance)
    maintenance.cancel(ref)
    _at(worker, clock, 1, 24, 25, 27, 30)
    assert _told(smtp) == [ANNOUNCED, CANCELLED]


def test_complete_ends_the_window_before_its_planned_end(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    ref = _schedule(maintenance, start="+30m", end="+3h")
    _at(worker, clock, 0.5)
    maintenance.complete(ref)
    _at(worker, clock, 3, 4)
    assert _told(smtp) == [ANNOUNCED, STARTED, COMPLETED]
    assert maintenance.upcoming(include_done=True)[0].window.status == "completed"


def test_a_reschedule_sends_a_notice_and_plans_the_reminders_again(
    maintenance: Maintenance, worker: Worker, clock: Clock, smtp: SmtpSink
) -> None:
    ref = _schedule(maintenance, start="+3h", end="+4h")
    maintenance.reschedule(ref, start="+50h", end="+51h")
    _at(worker, clock, 2.5, 3.5, 26, 49, 50, 51)
    assert [step for step in _told(smtp)] == [
        ANNOUNCED,
        "Scheduled maintenance has moved to " + smtp.messages[1].subject.split(" to ")[-1],
        REMINDED,
        REMINDED,
        STARTED,
        COMPLETED,
    ]


def _status(store: Store, component: str) -> str:
    with store.read() as conn:
        return current_status(conn, component) or "operational"


def test_the_components_are_under_maintenance_only_while_the_window_runs(
    maintenance: Maintenance, worker: Worker, clock: Clock, store: Store
) -> None:
    maintenance.schedule(
        RUNBOOK, start="+1h", end="+2h", variables={"impact": IMPACT}, components=["api"]
    )
    assert _status(store, "api") == "operational"
    _at(worker, clock, 1)
    assert _status(store, "api") == "under_maintenance"
    assert _status(store, "dashboard") == "under_maintenance"  # the runbook's, as at declare
    _at(worker, clock, 1)
    assert _status(store, "api") == "operational"
