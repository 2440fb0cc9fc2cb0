"""What each channel of one message receives: the composed text for customer channels, the
internal copy (the incident facts, then the customers' words) for internal ones, measured
as each channel counts. One function, used by the outbox and by ``--dry-run`` alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from outagecomms.audiences.words import with_sms_opt_out
from outagecomms.compose import TITLED_KINDS, Composed, compose
from outagecomms.counting import Measurement, fit_text, measure_for_channel
from outagecomms.logs import get_logger
from outagecomms.models import Audience, Channel, ChannelKind, Phase, Runbook, Severity
from outagecomms.project import Project
from outagecomms.render_budget import RenderBudget
from outagecomms.store.records import IncidentRecord
from outagecomms.templates import IncidentFacts

log = get_logger(__name__)


class MessageWords(Protocol):
    """Words for one message that do not come from the runbook's templates (the on-call's
    own, a correction): what each channel gets, the message's origin, and its event."""

    event_kind: ClassVar[str]

    @property
    def origin(self) -> str: ...

    def channel_texts(
        self,
        project: Project,
        incident: IncidentRecord,
        runbook: Runbook,
        phase: Phase,
        targets: Mapping[str, Channel],
        given: Mapping[str, str],
        actor: str,
        now: datetime,
    ) -> dict[str, ChannelText]: ...

    def event_detail(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ChannelText:
    """Exactly what one channel gets for one message, and how long it is."""

    channel: Channel
    composed: Composed
    title: str | None
    body: str
    length: int
    limit: int | None
    unit: str
    cut_from: int | None = None
    """The length before the text was shortened to fit (the last resort), else None."""

    @property
    def fits(self) -> bool:
        return self.limit is None or self.length <= self.limit


def incident_facts(project: Project, incident: IncidentRecord, now: datetime) -> IncidentFacts:
    settings = project.settings
    return IncidentFacts(
        incident_id=incident.id,
        severity=Severity(incident.severity),
        started_at=incident.started_at,
        now=now,
        next_update_at=incident.next_update_at,
        status_url=settings.status_url,
        sender=settings.sender,
        resolved_at=incident.resolved_at,
    )


def channel_texts(
    project: Project,
    incident: IncidentRecord,
    runbook: Runbook,
    phase: Phase,
    targets: Mapping[str, Channel],
    given: Mapping[str, str],
    actor: str,
    now: datetime,
    *,
    composed: Mapping[str, Composed] | None = None,
) -> dict[str, ChannelText]:
    """Render ``phase`` of the runbook for every channel in ``targets``, by name
    (``composed``: the texts already composed for this message, before a transaction)."""
    if composed is None:
        facts = incident_facts(project, incident, now)
        composed = compose_texts(project, runbook, phase, targets, facts, given)
    customers = customer_names(targets)
    return {
        name: channel_text(channel, composed[name], incident, phase, given, customers, actor)
        for name, channel in targets.items()
    }


def compose_texts(
    project: Project,
    runbook: Runbook,
    phase: Phase,
    targets: Mapping[str, Channel],
    facts: IncidentFacts,
    given: Mapping[str, str],
) -> dict[str, Composed]:
    """Each channel's text of ``phase``, every template within the render budget."""
    settings = project.settings
    budget = RenderBudget.of(settings.limits)
    return {
        name: compose(
            runbook,
            phase,
            channel,
            facts,
            given,
            default_language=settings.default_language,
            budget=budget,
            refuse_blanks=True,
        )
        for name, channel in targets.items()
    }


def customer_names(targets: Mapping[str, Channel]) -> list[str]:
    return sorted(name for name, c in targets.items() if c.audience is Audience.CUSTOMERS)


def channel_text(
    channel: Channel,
    composed: Composed,
    incident: IncidentRecord,
    phase: Phase,
    given: Mapping[str, str],
    customers: list[str],
    actor: str,
    *,
    note: str | None = None,
) -> ChannelText:
    """What ``channel`` gets of ``composed``: the text itself for customers, the internal
    copy (facts, ``note``, then the customers' words) for staff, measured as it counts."""
    m = composed.measurement
    body, length, limit, unit = composed.body, m.length, m.limit, m.unit
    cut_from = composed.cut_from
    if channel.audience is Audience.SUBSCRIBERS and channel.kind is ChannelKind.SMS:
        # the language's opt-out line is part of the text, and of its length
        body = with_sms_opt_out(body, channel.language)
        measured = measure_for_channel(body, channel)
        length, limit, unit = measured.length, measured.limit, measured.unit
    if channel.audience is Audience.INTERNAL:
        body = internal_copy(incident, phase, composed, given, customers, actor, note=note)
        if channel.kind is not ChannelKind.EMAIL:
            body, measured, cut_from = fitted_internal_copy(body, channel, cut_from)
            length, limit, unit = measured.length, measured.limit, measured.unit
    return ChannelText(channel, composed, composed.title, body, length, limit, unit, cut_from)


def fitted_internal_copy(
    body: str, channel: Channel, cut_from: int | None, *, essential: str | None = None
) -> tuple[str, Measurement, int | None]:
    """The internal copy fitted to its own channel's limit: the header lines come first,
    so a cut shortens the customers' text at its end (``essential``: a sentence a cut
    keeps all the same). Returns the text, its measurement and the length before the cut
    (``cut_from`` when it was not cut here)."""
    measured = measure_for_channel(body, channel)
    if measured.fits:
        return body, measured, cut_from
    log.warning(
        "message.truncated", channel=channel.name, length=measured.length, limit=measured.limit
    )
    fitted = fit_text(body, channel, promise=essential)
    return fitted, measure_for_channel(fitted, channel), measured.length


@dataclass(frozen=True)
class StaffNotice:
    """The tool's own words to staff on internal channels (the worker's reminder and
    blocked notice): a title, a body whose first line names the incident, and the sentence
    a shortened copy must keep."""

    title: str
    body: str
    essential: str | None = None


@dataclass(frozen=True)
class NoticeText:
    """Exactly what one channel gets of a :class:`StaffNotice`, and how long it is."""

    channel: Channel
    title: str | None
    body: str
    measurement: Measurement
    cut_from: int | None = None
    """The length before the text was shortened to fit (the last resort), else None."""


def notice_text(notice: StaffNotice, channel: Channel) -> NoticeText:
    """What ``channel`` gets of ``notice``, the way every message is shaped: the title
    apart where the kind carries one (:data:`~outagecomms.compose.TITLED_KINDS`), else
    folded into the body; measured as the channel counts and fitted like an internal copy
    (the header first, ``notice.essential`` kept). Email limits only its subject."""
    if channel.kind is ChannelKind.EMAIL:
        return NoticeText(
            channel, notice.title, notice.body, measure_for_channel(notice.title, channel)
        )
    titled = channel.kind in TITLED_KINDS
    title = notice.title if titled else None
    body = notice.body if titled else f"{notice.title}\n\n{notice.body}"
    body, measured, cut_from = fitted_internal_copy(body, channel, None, essential=notice.essential)
    return NoticeText(channel, title, body, measured, cut_from)


def internal_copy(
    incident: IncidentRecord,
    phase: Phase,
    composed: Composed,
    given: Mapping[str, str],
    customer_channels: list[str] | tuple[str, ...],
    posted_by: str,
    *,
    note: str | None = None,
) -> str:
    """What staff see on an internal channel: the facts, then the customers' words.
    ``note``: one more line of facts (e.g. why these are the on-call's own words)."""
    lines = [
        f"[{incident.id} · internal] {incident.runbook_id} · {incident.severity} · {phase.value}",
        f"Declared by: {incident.declared_by}"
        + ("" if posted_by == incident.declared_by else f" · this message by: {posted_by}"),
    ]
    if incident.break_glass_reason:
        lines.append(f"BREAK-GLASS (unapproved runbook): {incident.break_glass_reason}")
    if given:
        lines.append("Variables: " + "; ".join(f"{k}={v}" for k, v in sorted(given.items())))
    if note:
        lines.append(note)
    if customer_channels:
        lines.append("Sent to customers on: " + ", ".join(customer_channels))
    lines.append("")
    lines.append(f"Customers were told ({composed.format.value}, {composed.lang}):")
    lines.append(composed.body)
    return "\n".join(lines)


@dataclass(frozen=True)
class Composition:
    """The texts of one message per channel, and the facts they were composed with."""

    facts: IncidentFacts
    texts: dict[str, Composed]
