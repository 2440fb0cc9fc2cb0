"""The worker's own texts to staff (the reminder, the blocked notice) and what each
internal channel gets of them (composed and fitted by :func:`outagecomms.fanout.notice_text`,
the path of every message), a problem in one line, and the outgoing item of a stored
delivery."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

import structlog

from outagecomms.delivery import Outgoing
from outagecomms.durations import format_duration
from outagecomms.errors import OutagecommsError
from outagecomms.fanout import StaffNotice, notice_text
from outagecomms.models import Channel
from outagecomms.outbox.recipients import channel_for
from outagecomms.store.records import DeliveryRecord, IncidentRecord
from outagecomms.worker.settings import BLOCKED_RETRY

log = structlog.get_logger(__name__)


def reminder_text(incident: IncidentRecord, promise: datetime, now: datetime) -> StaffNotice:
    """The nudge to staff; a shortened copy keeps when customers get the update."""
    at = promise.astimezone(UTC).strftime("%H:%M UTC")
    minutes = max(0, int((promise - now).total_seconds()) // 60)
    essential = f'In {minutes} min ({at}) customers get the automatic "still working on it" update.'
    body = (
        f"[{incident.id} · reminder] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f"{essential} If there is real news, post it first; any update resets the clock:\n"
        f"outagecomms update {incident.id} --phase identified|monitoring|update --var ..."
    )
    return StaffNotice(f"{incident.id}: automatic update at {at}", body, essential)


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


def blocked_text(incident: IncidentRecord, problem: str) -> StaffNotice:
    """The notice to staff that the worker holds an incident or a delivery back; a
    shortened copy keeps that customers are not being updated."""
    title = f"{incident.id}: customers are NOT being updated"
    body = (
        f"[{incident.id} · blocked] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f"The worker could not send: {problem}\n"
        f"It tries again every {format_duration(BLOCKED_RETRY)}. Fix the cause, or post the "
        f"update yourself: outagecomms update {incident.id} --phase update "
        f"(--runbook-version latest after approving a fixed runbook)."
    )
    return StaffNotice(title, body, essential=title)


def notice_items(
    kind: str, notice: StaffNotice, internal: Mapping[str, Channel], *key_parts: str
) -> list[Outgoing]:
    """One outgoing item per internal channel (sorted by name), each fitted to its channel;
    keys ``kind:name``, idempotency keys stable over ``key_parts``."""
    items = []
    for name, channel in sorted(internal.items()):
        text = notice_text(notice, channel)
        items.append(
            Outgoing(
                key=f"{kind}:{name}",
                channel=channel,
                title=text.title,
                body=text.body,
                idempotency_key=_stable_key(kind, *key_parts, name),
            )
        )
    return items


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
