"""The incident orchestrator: declare, update, resolve, postmortem, status and show.

Every message goes through the outbox (README "Delivery semantics"): the message and one
delivery per channel are committed in one transaction before anything is sent, then each
delivery gets its first attempt at once, concurrently (:func:`outagecomms.delivery.send_all`).
A channel that fails stays queued with a retry time for the worker; it never blocks the others.

The store keeps each channel's NAME, never its URL: URLs and their secrets are resolved
from the project's channel files only at send time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from outagecomms.approvals import break_glass_reason, content_hash
from outagecomms.components.impact import affected_components, follow_incident, record_affected
from outagecomms.durations import format_duration
from outagecomms.errors import (
    PARAMETER,
    OutagecommsError,
    RefusedError,
    UsageError,
)
from outagecomms.fanout import MessageWords
from outagecomms.incidents.defaults import (
    LATEST_VERSION,
    UPDATE_PHASES,
)
from outagecomms.incidents.reopen import Reopening
from outagecomms.incidents.rules import (
    _check_lifecycle,
    _clean_key,
    _Duplicate,
    _flapped,
    _follow_up_changes,
    _must,
    pin,
)
from outagecomms.incidents.views import (
    IncidentDetail,
    IncidentSummary,
    Report,
    TimelineEntry,
    overdue_by,
)
from outagecomms.inputs import check_variables
from outagecomms.limits import raise_it
from outagecomms.logs import get_logger
from outagecomms.models import Phase, Severity
from outagecomms.project import LoadedRunbook
from outagecomms.store import repository as repo
from outagecomms.store.delivery_rows import subscriber_counts, subscriber_counts_of_incidents
from outagecomms.store.lite import integrity_errors
from outagecomms.store.records import (
    IncidentRecord,
    IncidentStatus,
    parse_incident_ref,
    public_id,
)
from outagecomms.store.repository import UNBLOCKED

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


class Orchestrator(Reopening):
    """Incidents of one project on one store.

    ``clock`` gives the current time (aware UTC; tests control it); ``sender`` sends a
    batch through apprise (default :func:`outagecomms.delivery.send_all`); ``senders`` the
    channel kinds sent otherwise (default :data:`outagecomms.outbox.sending.SENDERS`);
    ``retry`` decides when a failed first attempt is retried; ``gate`` whether a runbook
    may be sent (default :func:`outagecomms.approvals.ensure_sendable`).
    """

    def declare(
        self,
        runbook_id: str,
        *,
        severity: Severity | None = None,
        variables: Mapping[str, str] | None = None,
        dedupe_key: str | None = None,
        cadence: timedelta | None = None,
        channels: Sequence[str] = (),
        unapproved_reason: str | None = None,
        by: str | None = None,
        cooldown: timedelta | None = None,
        components: Sequence[str] = (),
    ) -> Report:
        """Open an incident from a runbook and post its ``investigating`` message.

        ``components`` (``--component ID[=STATUS]``) change the components the runbook
        names (:func:`outagecomms.components.impact.affected_components`).

        While an incident with ``dedupe_key`` is open, return it (``deduplicated``) and
        send nothing, also when two declares race (a unique index decides). When none is
        open but the latest one with the key (same runbook, no postmortem yet) was resolved
        less than ``cooldown`` ago (default: the runbook's ``flap_cooldown``; zero: never),
        re-open that incident and post ``update`` instead (a flap, see :meth:`_reopen`).
        """
        actor = self._actor(by)
        key = _clean_key(dedupe_key)
        latest: IncidentRecord | None = None
        if key is not None:
            with self.store.read() as conn:
                existing = repo.open_incident_by_dedupe_key(conn, key)
                latest = existing or repo.latest_incident_by_dedupe_key(conn, key)
            if existing is not None:
                return self._deduplicated(existing, actor)
        loaded = self.project.runbook(runbook_id)
        reason = self._reason(unapproved_reason)
        self.gate(self.project, loaded, unapproved_reason=reason)
        reason = break_glass_reason(self.project, loaded, reason)
        runbook = loaded.runbook
        chosen_severity = severity or runbook.severity
        if cadence is not None and cadence <= timedelta(0):
            raise UsageError(
                f"{PARAMETER} must be positive; write it like 30m", parameter="cadence"
            )
        longest = self.project.limits.max_duration
        for name, value in (("cadence", cadence), ("cooldown", cooldown)):
            if value is not None and value > longest:
                raise UsageError(
                    f"{PARAMETER} {format_duration(value)} is longer than "
                    f"{format_duration(longest)}, the longest duration allowed "
                    f"{raise_it('max_duration')}",
                    parameter=name,
                )
        if key is not None and latest is not None:
            window = runbook.flap_cooldown if cooldown is None else cooldown
            if _flapped(latest, runbook.id, window, self.clock()):
                reopened = self._reopen(
                    latest, key, loaded, window, severity, variables or {}, cadence, reason, actor
                )
                if reopened is not None:
                    return reopened
        affected = affected_components(self.project, runbook, chosen_severity, components)
        targets = self.channels_for(list(channels) or None)
        given = dict(variables or {})
        check_variables(given, self.project.limits)
        self._check_values(runbook, given)
        now = self.clock()
        next_update_at = now + (cadence or runbook.cadence_for(chosen_severity))
        with self.store.read() as conn:
            expected = repo.expected_incident_number(conn)
        facts = self.facts_for(
            public_id(expected), chosen_severity, now, now, next_update_at, resolved_at=None
        )
        composed = self.compose_all(runbook, Phase.INVESTIGATING, targets, facts, given)
        self._stop_if_interrupted("nothing was declared or sent")
        try:
            with self.store.write() as conn:
                if key is not None:
                    existing = repo.open_incident_by_dedupe_key(conn, key)
                    if existing is not None:
                        raise _Duplicate(existing)
                number = repo.insert_incident(
                    conn,
                    runbook_id=runbook.id,
                    status=IncidentStatus.OPEN,
                    severity=chosen_severity.value,
                    phase=Phase.INVESTIGATING,
                    cadence_seconds=None if cadence is None else int(cadence.total_seconds()),
                    next_update_at=next_update_at,
                    variables=given,
                    channels=list(channels) or None,
                    dedupe_key=key,
                    declared_by=actor,
                    break_glass_reason=reason,
                    started_at=now,
                    **pin(runbook),
                )
                incident = _must(repo.get_incident(conn, number))
                if incident.runbook_sha256 is not None:  # what it pins is this very runbook
                    self._pinned.setdefault(incident.runbook_sha256, runbook)
                repo.add_event(
                    conn,
                    incident=number,
                    at=now,
                    kind="incident.declared",
                    actor=actor,
                    detail={
                        "runbook": runbook.id,
                        "severity": chosen_severity.value,
                        "dedupe_key": key,
                        "cadence": None if cadence is None else int(cadence.total_seconds()),
                        "channels": sorted(targets),
                    },
                )
                record_affected(conn, number, affected, now, actor)
                if reason is not None:
                    repo.add_event(
                        conn,
                        incident=number,
                        at=now,
                        kind="incident.break_glass",
                        actor=actor,
                        detail={"reason": reason, "runbook": runbook.id},
                    )
                posted = self.post_message(
                    conn,
                    incident,
                    runbook,
                    Phase.INVESTIGATING,
                    targets,
                    given,
                    actor,
                    now,
                    composed=composed,
                )
        except _Duplicate as duplicate:
            return self._deduplicated(duplicate.incident, actor)
        except integrity_errors():
            if key is None:
                raise
            with self.store.read() as conn:
                existing = repo.open_incident_by_dedupe_key(conn, key)
            if existing is None:
                raise
            return self._deduplicated(existing, actor)
        if reason is not None:
            log.warning("incident.break_glass", incident=public_id(number), reason=reason)
        log.info("incident.declared", incident=public_id(number), runbook=runbook.id)
        return self._deliver(number, posted)

    def update(
        self,
        incident_ref: str,
        *,
        phase: Phase = Phase.UPDATE,
        variables: Mapping[str, str] | None = None,
        by: str | None = None,
        unapproved_reason: str | None = None,
        words: MessageWords | None = None,
        severity: Severity | None = None,
        add_channels: Sequence[str] = (),
        runbook_version: str | None = None,
    ) -> Report:
        """Post ``identified``, ``monitoring`` or a "still working on it" ``update``; the
        next-update promise restarts from now.

        ``words``: the on-call's own words instead of the runbook's (lint-gated by their
        builder); ``severity``: change course (the cadence follows); ``add_channels``: the
        message and the rest of the incident also go to these channels..

        The message renders from the runbook pinned at declare; ``runbook_version="latest"``
        first moves the incident to the runbook file's current content, which must be
        approved (or ``unapproved_reason`` given): refused otherwise."""
        if phase not in UPDATE_PHASES:
            allowed = ", ".join(p.value for p in UPDATE_PHASES)
            raise UsageError(
                f"update posts one of: {allowed}; use `outagecomms resolve` to resolve"
                if phase is Phase.RESOLVED
                else f"{PARAMETER} {phase.value!r}: update posts one of: {allowed}",
                parameter="phase",
            )
        if runbook_version is not None and runbook_version.strip().lower() != LATEST_VERSION:
            raise UsageError(
                f"{PARAMETER} {runbook_version!r}: only 'latest' is supported (the "
                "newest approved version of the runbook file)",
                parameter="runbook_version",
            )
        return self._follow_up(
            incident_ref, phase, variables or {}, self._actor(by), unapproved_reason,
            words=words, severity=severity, add_channels=add_channels,
            move_to_latest=runbook_version is not None,
        )  # fmt: skip

    def correct(
        self,
        incident_ref: str,
        *,
        words: MessageWords | None = None,
        by: str | None = None,
        unapproved_reason: str | None = None,
    ) -> Report:
        """Send a correction of the last message to the incident's channels: the runbook's
        ``correction`` phase when it has one and no ``words`` are given, else ``words``
        (the on-call's, or the built-in default); the promised next update stays."""
        if words is None:
            runbook = self.project.runbook(self.incident(incident_ref).runbook_id).runbook
            if Phase.CORRECTION not in runbook.messages:
                from outagecomms.own_words import correction_words

                words = correction_words("the built-in correction (the runbook has none)")
        return self._follow_up(
            incident_ref, Phase.CORRECTION, {}, self._actor(by), unapproved_reason, words=words
        )

    def resolve(
        self,
        incident_ref: str | None = None,
        *,
        dedupe_key: str | None = None,
        variables: Mapping[str, str] | None = None,
        by: str | None = None,
        unapproved_reason: str | None = None,
    ) -> Report:
        """Post the ``resolved`` message and close the incident: no update is promised or
        sent after it, the dedupe key is free again, and never-sent deliveries of earlier
        messages are cancelled."""
        key = _clean_key(dedupe_key)
        if (incident_ref is None) == (key is None):
            raise UsageError(
                f"resolve takes an incident id or {PARAMETER}, exactly one", parameter="dedupe_key"
            )
        if key is not None:
            incident_ref = self._ref_by_dedupe_key(key)
        assert incident_ref is not None
        return self._follow_up(
            incident_ref, Phase.RESOLVED, variables or {}, self._actor(by), unapproved_reason
        )

    def resolve_if_open(
        self,
        dedupe_key: str,
        *,
        variables: Mapping[str, str] | None = None,
        by: str | None = None,
        unapproved_reason: str | None = None,
    ) -> Report | None:
        """Resolve the open incident with ``dedupe_key``, idempotently (for CI): when none
        is open, send nothing and return the latest incident with the key (``deduplicated``),
        or None when the key was never used."""
        key = _clean_key(dedupe_key)
        assert key is not None
        actor = self._actor(by)
        with self.store.read() as conn:
            found = repo.open_incident_by_dedupe_key(conn, key)
            latest = found or repo.latest_incident_by_dedupe_key(conn, key)
        if latest is None:
            return None
        if found is not None:
            try:
                return self._follow_up(
                    found.id, Phase.RESOLVED, variables or {}, actor, unapproved_reason
                )
            except RefusedError:
                latest = self.incident(found.id)
                if latest.is_open:
                    raise  # refused for another reason (e.g. the runbook is not approved)
        return self._deduplicated(latest, actor, record=False)

    def postmortem(
        self,
        incident_ref: str,
        *,
        variables: Mapping[str, str] | None = None,
        by: str | None = None,
        unapproved_reason: str | None = None,
    ) -> Report:
        """Post the runbook's root-cause follow-up; only once the incident is resolved."""
        return self._follow_up(
            incident_ref, Phase.POSTMORTEM, variables or {}, self._actor(by), unapproved_reason
        )

    def status(self, *, include_resolved: bool = False) -> list[IncidentSummary]:
        """Open incidents (every incident with ``include_resolved``), oldest first."""
        with self.store.read() as conn:
            found = repo.list_incidents(conn, include_resolved=include_resolved)
            counts = repo.delivery_counts(conn, [i.number for i in found])
            subscribers = subscriber_counts_of_incidents(conn, [i.number for i in found])
        now = self.clock()
        return [
            IncidentSummary(
                i, counts.get(i.number, {}), overdue_by(i, now), subscribers.get(i.number, {})
            )
            for i in found
        ]

    def show(self, incident_ref: str) -> IncidentDetail:
        """The incident with every message, its deliveries, and the event log."""
        number = parse_incident_ref(incident_ref)
        with self.store.read() as conn:
            incident = self._existing(conn, number, incident_ref)
            messages = repo.messages_of(conn, number)
            delivered = repo.deliveries_of(conn, [m.id for m in messages], subscribers=False)
            subscribers = subscriber_counts(conn, [m.id for m in messages])
            events = repo.events_of(conn, number)
        timeline = [
            TimelineEntry(
                m, [d for d in delivered if d.message_id == m.id], subscribers.get(m.id, {})
            )
            for m in messages
        ]
        try:
            file_version: str | None = content_hash(
                self.project.runbook(incident.runbook_id).runbook
            )
        except OutagecommsError:
            file_version = None
        return IncidentDetail(incident, timeline, events, file_version)

    def incident(self, incident_ref: str) -> IncidentRecord:
        number = parse_incident_ref(incident_ref)
        with self.store.read() as conn:
            return self._existing(conn, number, incident_ref)

    def _follow_up(
        self,
        incident_ref: str,
        phase: Phase,
        variables: Mapping[str, str],
        actor: str,
        unapproved_reason: str | None,
        *,
        words: MessageWords | None = None,
        severity: Severity | None = None,
        add_channels: Sequence[str] = (),
        move_to_latest: bool = False,
    ) -> Report:
        number = parse_incident_ref(incident_ref)
        with self.store.read() as conn:
            incident = self._existing(conn, number, incident_ref)
        _check_lifecycle(incident, phase)
        explicit = self._reason(unapproved_reason)
        reason = explicit or incident.break_glass_reason
        moved: dict[str, Any] = {}
        loaded: LoadedRunbook | None = None
        if move_to_latest:
            loaded = self.project.runbook(incident.runbook_id)
            self.gate(self.project, loaded, unapproved_reason=explicit)
            runbook = loaded.runbook
            moved = pin(runbook)
        elif incident.runbook_sha256 is None:  # declared before pinning: the file decides
            loaded = self.project.runbook(incident.runbook_id)
            if words is None:  # the runbook's words must be approved; one's own are linted
                self.gate(self.project, loaded, unapproved_reason=reason)
            runbook = loaded.runbook
        else:  # the approved content pinned at declare (README "When things go wrong")
            runbook = self.runbook_of(incident)
        # break glass only where an approval was needed and missing
        unapproved_reason = (
            None if loaded is None else break_glass_reason(self.project, loaded, explicit)
        )
        channel_names = self._with_channels(incident.channels, add_channels)
        targets = self.channels_for(channel_names)
        check_variables(variables, self.project.limits)  # the new ones: stored ones stay
        given = {**incident.variables, **variables}
        self._check_values(runbook, given)
        now = self.clock()
        planned = _follow_up_changes(incident, runbook, phase, given, now, severity)
        facts = self.facts_for(
            incident.id,
            severity or Severity(incident.severity),
            incident.started_at,
            now,
            planned.get("next_update_at", incident.next_update_at),
            resolved_at=planned.get("resolved_at", incident.resolved_at),
        )
        # the runbook's words are composed before the write (one's own words are given)
        composed = None if words else self.compose_all(runbook, phase, targets, facts, given)
        self._stop_if_interrupted(f"nothing was posted on {incident.id}")
        with self.store.write() as conn:
            # Read again under the write lock: another process may have resolved it.
            incident = self._existing(conn, number, incident_ref)
            _check_lifecycle(incident, phase)
            changes = {
                **_follow_up_changes(incident, runbook, phase, given, now, severity),
                **moved,
                **UNBLOCKED,
            }
            changes.update(
                self._course_changes(conn, incident, severity, channel_names, actor, now)
            )
            repo.update_incident(conn, number, **changes)
            if moved and moved["runbook_sha256"] != incident.runbook_sha256:
                repo.add_event(
                    conn,
                    incident=number,
                    at=now,
                    kind="incident.runbook_moved",
                    actor=actor,
                    detail={"from": incident.runbook_sha256, "to": moved["runbook_sha256"]},
                )
            incident = _must(repo.get_incident(conn, number))
            if reason is not None and unapproved_reason:
                repo.add_event(
                    conn,
                    incident=number,
                    at=now,
                    kind="incident.break_glass",
                    actor=actor,
                    detail={"reason": reason, "runbook": runbook.id, "phase": phase.value},
                )
            if phase is Phase.RESOLVED:
                repo.add_event(conn, incident=number, at=now, kind="incident.resolved", actor=actor)
                follow_incident(conn, number, now, actor, source="resolve")
            if words is None:
                posted = self.post_message(
                    conn, incident, runbook, phase, targets, given, actor, now, composed=composed
                )
            else:
                texts = words.channel_texts(
                    self.project, incident, runbook, phase, targets, given, actor, now
                )
                posted = self.post_texts(
                    conn, incident, phase, texts, given, actor, now, words.origin
                )
                seq = repo.get_message(conn, posted.message_id).seq
                detail = {"seq": seq, **words.event_detail()}
                repo.add_event(conn, incident=number, at=now, kind=words.event_kind,
                               actor=actor, detail=detail)  # fmt: skip
        log.info("incident.message", incident=incident.id, phase=phase.value)
        return self._deliver(number, posted)

    def _with_channels(self, current: list[str] | None, added: Sequence[str]) -> list[str] | None:
        """The incident's channel names with ``added`` (None: every enabled channel)."""
        if not added:
            return current
        base = current or [c.name for c in self.project.select_usable_channels()[0]]
        return [*base, *(name for name in dict.fromkeys(added) if name not in base)]

    def _course_changes(
        self,
        conn: Connection,
        incident: IncidentRecord,
        severity: Severity | None,
        channels: list[str] | None,
        actor: str,
        now: datetime,
    ) -> dict[str, Any]:
        """The incident's new severity and channels (when changed), each with its event."""
        changes: dict[str, Any] = {}
        if severity is not None and severity.value != incident.severity:
            changes["severity"] = severity.value
            repo.add_event(conn, incident=incident.number, at=now,
                           kind="incident.severity_changed", actor=actor,
                           detail={"from": incident.severity, "to": severity.value})  # fmt: skip
        if channels != incident.channels:
            added = sorted(set(channels or ()) - set(incident.channels or ()))
            changes["channels"] = channels
            repo.add_event(conn, incident=incident.number, at=now, kind="incident.channels_added",
                           actor=actor, detail={"channels": added})  # fmt: skip
        return changes
