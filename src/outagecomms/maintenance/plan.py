"""Which steps a maintenance window takes and when (pure: no store, no clock).

Every step has a key, (step, sequence, lead): the store keeps one row per key, so a step is
taken once. A reschedule raises the window's sequence, so the new times get new keys. After
downtime the worker takes only the latest step that is due (one catch-up); the earlier ones
are recorded as skipped and never sent late."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from outagecomms.store.window_rows import WindowRecord
from outagecomms.vocabulary import Phase


class StepKind(StrEnum):
    ANNOUNCE = "announce"
    REMIND = "remind"
    START = "start"
    COMPLETE = "complete"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"


PHASE_OF: dict[StepKind, Phase] = {
    StepKind.ANNOUNCE: Phase.SCHEDULED,
    StepKind.REMIND: Phase.UPCOMING,
    StepKind.START: Phase.INVESTIGATING,
    StepKind.COMPLETE: Phase.RESOLVED,
    StepKind.RESCHEDULE: Phase.RESCHEDULED,
    StepKind.CANCEL: Phase.CANCELLED,
}
"""The runbook phase each step posts."""

StepKey = tuple[str, int, int]


@dataclass(frozen=True)
class PlannedStep:
    kind: StepKind
    sequence: int
    lead_seconds: int
    due_at: datetime

    @property
    def key(self) -> StepKey:
        return (self.kind.value, self.sequence, self.lead_seconds)


def timed_steps(window: WindowRecord, remind_before: Sequence[timedelta]) -> list[PlannedStep]:
    """The steps the worker takes at their time for the window's current sequence, in
    order: each reminder still ahead when the window was (re)scheduled, the start, the end."""
    seq = window.sequence
    steps: list[PlannedStep] = []
    if window.status == "scheduled":
        for lead in sorted(set(remind_before), reverse=True):
            due = window.starts_at - lead
            if due > window.planned_at:
                steps.append(PlannedStep(StepKind.REMIND, seq, int(lead.total_seconds()), due))
        steps.append(PlannedStep(StepKind.START, seq, 0, window.starts_at))
    if window.status in ("scheduled", "in_progress"):
        steps.append(PlannedStep(StepKind.COMPLETE, seq, 0, window.ends_at))
    return steps


def due_steps(
    planned: Sequence[PlannedStep], taken: Collection[StepKey], now: datetime
) -> tuple[PlannedStep | None, list[PlannedStep]]:
    """The step to take now (the latest one due and not taken) and the earlier due ones to
    record as skipped: one catch-up after downtime, never a stale reminder."""
    due = [step for step in planned if step.due_at <= now and step.key not in taken]
    if not due:
        return None, []
    return due[-1], due[:-1]


def next_step_at(planned: Sequence[PlannedStep], taken: Collection[StepKey]) -> datetime | None:
    pending = [step.due_at for step in planned if step.key not in taken]
    return min(pending) if pending else None
