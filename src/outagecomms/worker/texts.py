"""The worker's own texts to staff (the reminder, the blocked notice), a problem in one
line, and the outgoing item of a stored delivery."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import structlog

from outagecomms.delivery import Outgoing
from outagecomms.durations import format_duration
from outagecomms.errors import OutagecommsError
from outagecomms.models import Channel
from outagecomms.outbox.recipients import channel_for
from outagecomms.store.records import DeliveryRecord, IncidentRecord
from outagecomms.worker.settings import BLOCKED_RETRY

log = structlog.get_logger(__name__)


def reminder_text(incident: IncidentRecord, promise: datetime, now: datetime) -> tuple[str, str]:
    """The nudge to staff: (title, body)."""
    at = promise.astimezone(UTC).strftime("%H:%M UTC")
    minutes = max(0, int((promise - now).total_seconds()) // 60)
    title = f"{incident.id}: automatic update at {at}"
    body = (
        f"[{incident.id} · reminder] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f'In {minutes} min ({at}) customers get the automatic "still working on it" '
        "update. If there is real news, post it first; any update resets the clock:\n"
        f"outagecomms update {incident.id} --phase identified|monitoring|update --var ..."
    )
    return title, body


MAX_PROBLEM_LENGTH = 300


def problem_text(exc: BaseException) -> str:
    """One line saying what went wrong: an outagecomms error's own message (it names the
    fix), or the exception's type and first line for anything else (a template that
    divides by zero, an overflow in the sandbox, a bug)."""
    if isinstance(exc, OutagecommsError):
        text = str(exc)
    else:
        first = (str(exc).strip().splitlines() or [""])[0]
        text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    text = " ".join(text.split())
    if len(text) > MAX_PROBLEM_LENGTH:
        text = text[: MAX_PROBLEM_LENGTH - 1] + "…"
    return text


def blocked_text(incident: IncidentRecord, problem: str) -> tuple[str, str]:
    """The notice to staff that the worker holds an incident or a delivery back."""
    title = f"{incident.id}: customers are NOT being updated"
    body = (
        f"[{incident.id} · blocked] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f"The worker could not send: {problem}\n"
        f"It tries again every {format_duration(BLOCKED_RETRY)}. Fix the cause, or post the "
        f"update yourself: outagecomms update {incident.id} --phase update "
        f"(--runbook-version latest after approving a fixed runbook)."
    )
    return title, body


def _outgoing(record: DeliveryRecord, channel: Channel) -> Outgoing:
    return Outgoing(
        key=str(record.id),
        channel=channel_for(channel, record.recipient),
        title=record.title,
        body=record.body,
        idempotency_key=record.idempotency_key,
        recipient=record.recipient,
    )


def _stable_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
