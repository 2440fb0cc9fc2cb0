"""The incident orchestrator: declare, update, resolve, postmortem, status and show.

Every message goes through the outbox (product-spec §6): the message and one delivery per
channel are committed in one transaction before anything is sent, then each delivery gets
its first attempt at once, concurrently (:func:`outagecomms.delivery.send_all`). A channel
that fails stays queued with a retry time for the worker; it never blocks the others.

The store keeps each channel's NAME, never its URL: URLs and their secrets are resolved
from the project's channel files only at send time.
"""

from __future__ import annotations

import getpass
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from outagecomms.approvals import break_glass_reason, content_hash, ensure_sendable
from outagecomms.compose import Composed
from outagecomms.delivery import DEFAULT_RETRY, Outcome, Outgoing, RetryPolicy, send_all
from outagecomms.durations import format_duration
from outagecomms.errors import (
    ConfigError,
    InterruptedByUser,
    NotFoundError,
    OutagecommsError,
    RefusedError,
    UsageError,
)
from outagecomms.fanout import ChannelText, MessageWords, channel_texts, compose_texts
from outagecomms.inputs import check_value, check_variables
from outagecomms.limits import ACTOR_MAX_LENGTH, raise_it
from outagecomms.models import Channel, ChannelKind, Phase, Runbook, Severity
from outagecomms.outbox.attempts import lease_length, record_attempt, release_unsent
from outagecomms.outbox.posting import Posted, post_texts
from outagecomms.outbox.sending import SENDERS, Batch, KindSender, Sender, send_by_kind
from outagecomms.progress import FanoutProgress
from outagecomms.project import LoadedRunbook, Project
from outagecomms.store import Store, default_database_url, open_store
from outagecomms.store import repository as repo
from outagecomms.store.records import (
    DeliveryRecord,
    EventRecord,
    IncidentRecord,
    MessageRecord,
    parse_incident_ref,
    public_id,
)
from outagecomms.store.tables import DeliveryState, IncidentStatus
from outagecomms.templates import IncidentFacts, resolve_values

log = structlog.get_logger(__name__)

ACTOR_ENV = "OUTAGECOMMS_ACTOR"
WAITING_STATES = frozenset({"queued", "retry", "sending"})
"""Delivery states that still lead to a send."""
UPDATE_PHASES = (Phase.IDENTIFIED, Phase.MONITORING, Phase.UPDATE)
"""What ``update`` may post; ``update`` is the "still working on it" message."""
LATEST_VERSION = "latest"
"""``update --runbook-version latest``: move the incident to the newest approved runbook."""


class ApprovalGate(Protocol):
    """Refuses a runbook that may not be sent (:func:`outagecomms.approvals.ensure_sendable`,
    or a test's stand-in): raises :class:`~outagecomms.errors.RefusedError`."""

    def __call__(
        self, project: Project, loaded: LoadedRunbook, *, unapproved_reason: str | None
    ) -> None: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_actor(environ: Mapping[str, str] | None = None) -> str:
    """``OUTAGECOMMS_ACTOR``, else the OS user, else ``unknown``."""
    env = os.environ if environ is None else environ
    if env.get(ACTOR_ENV):
        return env[ACTOR_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - a container without a passwd entry
        return "unknown"


def database_url(project: Project, override: str | None = None) -> str:
    """``--database-url``, then ``OUTAGECOMMS_DATABASE_URL`` / ``outagecomms.toml``, then the
    project's SQLite file. A relative SQLite path is relative to the project directory."""
    url = override or project.settings.database_url
    if not url:
        return default_database_url(project.root)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        path = url.removeprefix(prefix)
        if path and path != ":memory:":
            return prefix + str((project.root / path).resolve())
    return url


def open_project_store(project: Project, override: str | None = None) -> Store:
    return open_store(database_url(project, override))


# --------------------------------------------------------------------------- views


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def incident_json(incident: IncidentRecord, *, deduplicated: bool = False) -> dict[str, Any]:
    """The incident fields scripts rely on (product-spec §3)."""
    return {
        "id": incident.id,
        "runbook": incident.runbook_id,
        "status": incident.status,
        "severity": incident.severity,
        "phase": incident.phase,
        "next_update_at": _iso(incident.next_update_at),
        "deduplicated": deduplicated,
    }


def pinning_json(incident: IncidentRecord) -> dict[str, Any]:
    """What ``status`` and ``show`` add: the pinned runbook version (its content hash) and,
    when the worker holds the incident back, why (``blocked``, else null)."""
    return {"runbook_version": incident.runbook_sha256, "blocked": blocked_json(incident)}


def blocked_json(incident: IncidentRecord) -> dict[str, Any] | None:
    if incident.blocked_reason is None:
        return None
    return {
        "reason": incident.blocked_reason,
        "since": _iso(incident.blocked_at),
        "retry_at": _iso(incident.blocked_until),
    }


def pin(runbook: Runbook) -> dict[str, Any]:
    """The incident columns that pin ``runbook`` (product-spec §8): its content hash, the
    same one ``approvals.lock`` records, and the content itself."""
    return {
        "runbook_sha256": content_hash(runbook),
        "runbook_content": runbook.model_dump(mode="json"),
    }


UNBLOCKED: dict[str, Any] = {"blocked_reason": None, "blocked_at": None, "blocked_until": None}
"""The incident columns of an incident the worker does not hold back."""


def delivery_json(delivery: DeliveryRecord) -> dict[str, Any]:
    """The delivery fields scripts rely on (product-spec §3)."""
    return {
        "channel": delivery.channel,
        "kind": delivery.kind,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "length": delivery.length,
        "limit": delivery.limit,
        "error": delivery.last_error,
    }


@dataclass(frozen=True)
class Report:
    """What declare, update, resolve and postmortem return: the incident and the deliveries
    of the message just posted, after their first attempt."""

    incident: IncidentRecord
    deliveries: list[DeliveryRecord]
    message: MessageRecord | None
    deduplicated: bool = False
    reopened: bool = False
    """declare re-opened a recently resolved incident (a flap) instead of a new one."""
    interrupted: bool = False
    """Ctrl-C came after the message was recorded: what was not sent stays queued."""

    @property
    def unsent(self) -> list[DeliveryRecord]:
        """Deliveries still waiting for a send (the worker sends them)."""
        return [d for d in self.deliveries if d.state in WAITING_STATES]

    broken_channels: Mapping[str, str] = field(default_factory=dict)
    """Channels the message could not go to because their file is broken: name -> the
    problem (``file:line: field: what``) and the fix."""

    @property
    def failed(self) -> list[DeliveryRecord]:
        """Deliveries not sent by their first attempt (queued for retry, or failed)."""
        if self.deduplicated:
            return []
        return [d for d in self.deliveries if d.state != DeliveryState.SENT.value]

    @property
    def failed_channels(self) -> list[str]:
        """The channels not reached by the first attempt, broken channel files included."""
        if self.deduplicated:
            return []
        return [d.channel for d in self.failed] + sorted(self.broken_channels)

    def as_json(self) -> dict[str, Any]:
        incident = incident_json(self.incident, deduplicated=self.deduplicated)
        if self.reopened:
            incident["reopened"] = True  # only present when true
        deliveries = [delivery_json(d) for d in self.deliveries]
        deliveries += [broken_channel_json(n, e) for n, e in sorted(self.broken_channels.items())]
        return {"incident": incident, "deliveries": deliveries}


def broken_channel_json(name: str, problem: str) -> dict[str, Any]:
    """A channel whose file is broken, as a failed delivery with no attempt."""
    return {
        "channel": name,
        "kind": None,
        "state": DeliveryState.FAILED.value,
        "attempts": 0,
        "length": None,
        "limit": None,
        "error": problem,
    }


@dataclass(frozen=True)
class IncidentSummary:
    """One row of ``status``."""

    incident: IncidentRecord
    counts: Mapping[str, int]
    overdue_by: timedelta | None = None
    """How long ago the promised next update fell due without a message (open only)."""

    @property
    def failed_deliveries(self) -> int:
        return self.counts.get(DeliveryState.FAILED.value, 0)

    @property
    def retrying_deliveries(self) -> int:
        """Failed an attempt; the worker tries again at their retry time."""
        return self.counts.get(DeliveryState.RETRY.value, 0)

    @property
    def blocked_deliveries(self) -> int:
        """Held back by a fault of their own (a broken file, a template that raises)."""
        return self.counts.get("blocked", 0)

    @property
    def needs_a_human(self) -> list[str]:
        """What an on-call must look at, one phrase each (empty when all is well)."""
        problems = []
        if self.failed_deliveries:
            problems.append(f"{self.failed_deliveries} failed after every retry")
        if self.blocked_deliveries:
            problems.append(f"{self.blocked_deliveries} blocked")
        if self.overdue_by is not None:
            problems.append(f"next update {format_duration(_whole_minutes(self.overdue_by))} late")
        return problems

    @property
    def pending_deliveries(self) -> int:
        return sum(
            self.counts.get(s.value, 0)
            for s in (
                DeliveryState.QUEUED,
                DeliveryState.RETRY,
                DeliveryState.SENDING,
                DeliveryState.BLOCKED,
            )
        )

    def as_json(self) -> dict[str, Any]:
        return {
            **incident_json(self.incident),
            "started_at": _iso(self.incident.started_at),
            "resolved_at": _iso(self.incident.resolved_at),
            "failed_deliveries": self.failed_deliveries,
            "pending_deliveries": self.pending_deliveries,
            "retrying_deliveries": self.retrying_deliveries,
            "blocked_deliveries": self.blocked_deliveries,
            "overdue_seconds": None
            if self.overdue_by is None
            else int(self.overdue_by.total_seconds()),
            **pinning_json(self.incident),
        }


@dataclass(frozen=True)
class TimelineEntry:
    message: MessageRecord
    deliveries: list[DeliveryRecord]

    def as_json(self) -> dict[str, Any]:
        m = self.message
        return {
            "seq": m.seq,
            "phase": m.phase,
            "origin": m.origin,
            "by": m.author,
            "at": _iso(m.created_at),
            "next_update_at": _iso(m.next_update_at),
            "deliveries": [
                {
                    **delivery_json(d),
                    "due_at": _iso(d.due_at),
                    "sent_at": _iso(d.sent_at),
                    "possibly_duplicate": d.possibly_duplicate,
                    "cut_from": d.cut_from,
                    "title": d.title,
                    "body": d.body,
                }
                for d in self.deliveries
            ],
        }


@dataclass(frozen=True)
class IncidentDetail:
    """What ``show`` prints: the incident, every message with its deliveries, the events."""

    incident: IncidentRecord
    timeline: list[TimelineEntry]
    events: list[EventRecord] = field(default_factory=list)
    file_version: str | None = None
    """The content hash of the runbook file as it is now (None: it does not load)."""

    def as_json(self) -> dict[str, Any]:
        i = self.incident
        return {
            **incident_json(i),
            **pinning_json(i),
            "started_at": _iso(i.started_at),
            "resolved_at": _iso(i.resolved_at),
            "declared_by": i.declared_by,
            "break_glass_reason": i.break_glass_reason,
            "dedupe_key": i.dedupe_key,
            "cadence": None if i.cadence_seconds is None else f"{i.cadence_seconds}s",
            "variables": i.variables,
            "channels": i.channels,
            "runbook_file_version": self.file_version,
            "timeline": [entry.as_json() for entry in self.timeline],
            "events": [
                {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail}
                for e in self.events
            ],
        }


# --------------------------------------------------------------------------- orchestrator


@dataclass(frozen=True)
class Composition:
    """The texts of one message per channel, and the facts they were composed with."""

    facts: IncidentFacts
    texts: dict[str, Composed]


class Orchestrator:
    """Incidents of one project on one store.

    ``clock`` gives the current time (aware UTC; tests control it); ``sender`` sends a
    batch through apprise (default :func:`outagecomms.delivery.send_all`); ``senders`` the
    channel kinds sent otherwise (default :data:`outagecomms.outbox.sending.SENDERS`);
    ``retry`` decides when a failed first attempt is retried; ``gate`` whether a runbook
    may be sent (default :func:`outagecomms.approvals.ensure_sendable`).
    """

    def __init__(
        self,
        project: Project,
        store: Store,
        *,
        clock: Callable[[], datetime] = utcnow,
        sender: Sender | None = None,
        senders: Mapping[ChannelKind, KindSender] = SENDERS,
        gate: ApprovalGate | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        concurrency: int | None = None,
        timeout: float | None = None,
        actor: str | None = None,
        environ: Mapping[str, str] | None = None,
        interrupt: threading.Event | None = None,
        deliver: bool = True,
    ) -> None:
        self.project = project
        self.deliver = deliver
        """False: post to the outbox and leave every first attempt to the worker (a hook
        that must answer at once)."""
        self.interrupt = interrupt
        """Set by the CLI's Ctrl-C handler: stop before writing, or stop sending and say
        what is recorded (nothing half-written, unsent deliveries left to the worker)."""
        self.store = store
        self.clock = clock
        self.sender: Sender = sender or send_all
        self.senders = senders
        self.gate: ApprovalGate = ensure_sendable if gate is None else gate
        """Whether a runbook may be sent (default: its approval in runbooks/approvals.lock,
        or a break-glass reason)."""
        """The channel kinds not sent through apprise, and who sends them."""
        self.retry = retry
        self.concurrency = concurrency
        self.timeout = timeout
        self.environ = environ
        self.actor = actor or default_actor(environ)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.progress: FanoutProgress | None = None
        """Told of each first attempt as it ends (the CLI's "4/5 done, waiting for ...")."""
        self._pinned: dict[str, Runbook] = {}
        """Pinned runbooks already validated, by content hash."""

    @classmethod
    def open(
        cls, project: Project, *, database_url: str | None = None, **options: Any
    ) -> Orchestrator:
        """An orchestrator on the project's store (``database_url`` overrides settings)."""
        return cls(project, open_project_store(project, database_url), **options)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- commands ----------------------------------------------------------

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
    ) -> Report:
        """Open an incident from a runbook and post its ``investigating`` message.

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
            raise UsageError("--cadence must be positive; write it like 30m")
        longest = self.project.limits.max_duration
        for flag, value in (("--cadence", cadence), ("--cooldown", cooldown)):
            if value is not None and value > longest:
                raise UsageError(
                    f"{flag} {format_duration(value)} is longer than {format_duration(longest)}"
                    f", the longest duration allowed {raise_it('max_duration')}"
                )
        if key is not None and latest is not None:
            window = runbook.flap_cooldown if cooldown is None else cooldown
            if _flapped(latest, runbook.id, window, self.clock()):
                reopened = self._reopen(
                    latest, key, loaded, window, severity, variables or {}, cadence, reason, actor
                )
                if reopened is not None:
                    return reopened
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
                    status=IncidentStatus.OPEN.value,
                    severity=chosen_severity.value,
                    phase=Phase.INVESTIGATING.value,
                    cadence_seconds=None if cadence is None else int(cadence.total_seconds()),
                    next_update_at=next_update_at,
                    variables=given,
                    channels=list(channels) or None,
                    dedupe_key=key,
                    open_dedupe_key=key,
                    declared_by=actor,
                    break_glass_reason=reason,
                    started_at=now,
                    resolved_at=None,
                    updated_at=now,
                    **pin(runbook),
                )
                incident = _must(repo.get_incident(conn, number))
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
        except IntegrityError:
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
                else f"--phase {phase.value!r}: update posts one of: {allowed}"
            )
        if runbook_version is not None and runbook_version.strip().lower() != LATEST_VERSION:
            raise UsageError(
                f"--runbook-version {runbook_version!r}: only 'latest' is supported (the "
                "newest approved version of the runbook file)"
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

    def runbook_of(self, incident: IncidentRecord) -> Runbook:
        """What the incident's messages render from: the runbook content pinned at declare
        (product-spec §8), whatever the file says now. An incident declared before pinning
        existed renders from the file, which must still be approved."""
        pinned = incident.runbook_sha256
        if pinned is not None:
            if pinned in self._pinned:
                return self._pinned[pinned]
            with self.store.read() as conn:
                runbook = self.pinned_version(conn, pinned)
            if runbook is not None:
                return runbook
        loaded = self.project.runbook(incident.runbook_id)
        self.gate(self.project, loaded, unapproved_reason=incident.break_glass_reason)
        return loaded.runbook

    def pinned_version(self, conn: Connection, sha256: str) -> Runbook | None:
        """The runbook pinned under content hash ``sha256`` (None: no incident pins it),
        validated once per orchestrator."""
        if sha256 not in self._pinned:
            content = repo.version_content(conn, sha256)
            if content is None:
                return None
            self._pinned[sha256] = Runbook.model_validate(content)
        return self._pinned[sha256]

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
            raise UsageError("resolve takes an incident id or --dedupe-key, exactly one")
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
        now = self.clock()
        return [IncidentSummary(i, counts.get(i.number, {}), _overdue(i, now)) for i in found]

    def show(self, incident_ref: str) -> IncidentDetail:
        """The incident with every message, its deliveries, and the event log."""
        number = parse_incident_ref(incident_ref)
        with self.store.read() as conn:
            incident = self._existing(conn, number, incident_ref)
            messages = repo.messages_of(conn, number)
            delivered = repo.deliveries_of(conn, [m.id for m in messages])
            events = repo.events_of(conn, number)
        timeline = [
            TimelineEntry(m, [d for d in delivered if d.message_id == m.id]) for m in messages
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

    # --- internals ---------------------------------------------------------

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
        else:  # the approved content pinned at declare (product-spec §8)
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

    def post_message(
        self,
        conn: Connection,
        incident: IncidentRecord,
        runbook: Runbook,
        phase: Phase,
        targets: dict[str, Channel],
        given: Mapping[str, str],
        actor: str,
        now: datetime,
        origin: str = "human",
        composed: Composition | None = None,
    ) -> Posted:
        """Write one message and its deliveries (queued, claimed by this orchestrator for
        the first attempt) inside the caller's transaction. ``origin``: "human", or
        "cadence" for the worker's automatic updates. ``composed``: the texts composed
        before the transaction (see :meth:`compose_all`); composed here only when they
        were made for other facts (another declare took the expected incident number)."""
        broken = self.broken_channels_for(incident.channels)
        facts = self.facts_for(
            incident.id,
            Severity(incident.severity),
            incident.started_at,
            now,
            incident.next_update_at,
            resolved_at=incident.resolved_at,
        )
        if composed is None or composed.facts != facts or set(composed.texts) != set(targets):
            composed = self.compose_all(runbook, phase, targets, facts, given)
        texts = channel_texts(
            self.project, incident, runbook, phase, targets, given, actor, now,
            composed=composed.texts,
        )  # fmt: skip
        return self.post_texts(conn, incident, phase, texts, given, actor, now, origin, broken)

    def post_texts(
        self,
        conn: Connection,
        incident: IncidentRecord,
        phase: Phase,
        texts: Mapping[str, ChannelText],
        given: Mapping[str, str],
        actor: str,
        now: datetime,
        origin: str,
        broken: Mapping[str, str] | None = None,
    ) -> Posted:
        """Write one message with exactly ``texts`` (channel name -> what it gets) and its
        queued deliveries, inside the caller's transaction (see :meth:`post_message`)."""
        return post_texts(
            conn, incident, phase, texts, given, actor, now, origin,
            owner=self.owner, lease_until=now + self.lease_length(), broken=broken,
        )  # fmt: skip

    def _stop_if_interrupted(self, nothing_done: str) -> None:
        if self.interrupt is not None and self.interrupt.is_set():
            raise InterruptedByUser(f"interrupted (Ctrl-C): {nothing_done}")

    def facts_for(
        self,
        incident_id: str,
        severity: Severity,
        started_at: datetime,
        now: datetime,
        next_update_at: datetime | None,
        *,
        resolved_at: datetime | None,
    ) -> IncidentFacts:
        """What the built-in template variables of one message are made of."""
        settings = self.project.settings
        return IncidentFacts(
            incident_id=incident_id,
            severity=severity,
            started_at=started_at,
            now=now,
            next_update_at=next_update_at,
            status_url=settings.status_url,
            sender=settings.sender,
            resolved_at=resolved_at,
        )

    def compose_all(
        self,
        runbook: Runbook,
        phase: Phase,
        targets: Mapping[str, Channel],
        facts: IncidentFacts,
        given: Mapping[str, str],
    ) -> Composition:
        """Every channel's text of one message, each template within the render budget.
        Called before the write transaction, so a slow template holds no lock and a
        template over budget fails the command before anything is written."""
        return Composition(
            facts, compose_texts(self.project, runbook, phase, targets, facts, given)
        )

    def _deliver(self, number: int, posted: Posted) -> Report:
        """The first attempt of every delivery of one committed message. After Ctrl-C,
        deliveries not yet sent are handed to the worker at once (no attempt counted)."""
        now = self.clock()
        interrupted = self.interrupt is not None and self.interrupt.is_set()
        with self.store.write() as conn:
            if interrupted or not self.deliver:
                mine = repo.deliveries_of(conn, [posted.message_id])
                release_unsent(conn, [d.id for d in mine], owner=self.owner, now=now)
                claimed = []
            else:
                claimed = repo.start_sending(
                    conn,
                    posted.message_id,
                    owner=self.owner,
                    now=now,
                    lease_until=now + self.lease_length(),
                )
        items = [
            Outgoing(
                key=str(d.id),
                channel=posted.channels[d.channel],
                title=d.title,
                body=d.body,
                idempotency_key=d.idempotency_key,
            )
            for d in claimed
        ]
        outcomes = self.send_now(items)
        now = self.clock()
        by_key = {o.key: o for o in outcomes}
        with self.store.write() as conn:
            not_started = []
            for delivery in claimed:
                outcome = by_key.get(str(delivery.id))
                if outcome is not None and outcome.not_started:
                    not_started.append(delivery.id)
                else:
                    self.record_attempt(conn, number, delivery, outcome, now)
            release_unsent(conn, not_started, owner=self.owner, now=now)
            incident = _must(repo.get_incident(conn, number))
            message = repo.get_message(conn, posted.message_id)
            delivered = repo.deliveries_of(conn, [posted.message_id])
        interrupted = interrupted or (self.interrupt is not None and self.interrupt.is_set())
        return Report(
            incident, delivered, message, interrupted=interrupted, broken_channels=posted.broken
        )

    def send_now(self, items: list[Outgoing]) -> list[Outcome]:
        """Send ``items`` at once, each through the sender of its channel kind (apprise
        through this orchestrator's sender; site channels are rebuilt from the store); one
        outcome per item, never an exception."""
        options: dict[str, Any] = {}
        if self.interrupt is not None:
            options["cancel"] = self.interrupt
        if self.concurrency is not None:
            options["concurrency"] = self.concurrency
        if self.timeout is not None:
            options["timeout"] = self.timeout
        batch = Batch(
            self.project, self.store, self.clock, self.sender,
            environ=self.environ, options=options, progress=self.progress,
        )  # fmt: skip
        return send_by_kind(items, batch, self.senders)

    def record_attempt(
        self,
        conn: Connection,
        number: int,
        delivery: DeliveryRecord,
        outcome: Outcome | None,
        now: datetime,
    ) -> None:
        """Record one send attempt of ``delivery`` (sent, retry at its due time, or failed
        after its budget) and its event, inside the caller's transaction."""
        record_attempt(conn, number, delivery, outcome, now, owner=self.owner, retry=self.retry)

    def _reopen(
        self,
        incident: IncidentRecord,
        key: str,
        loaded: LoadedRunbook,
        window: timedelta | None,
        severity: Severity | None,
        variables: Mapping[str, str],
        cadence: timedelta | None,
        reason: str | None,
        actor: str,
    ) -> Report | None:
        """A flap: open the resolved ``incident`` again and post the runbook's ``update``
        ("still working on it") instead of a new ``investigating`` burst.

        The one exception to "after resolved nothing but postmortem is sent". The incident
        goes back to ``investigating`` with its variables (``variables`` add or override),
        channels and cadence, and ``incident.reopened`` is logged. None when, re-checked
        under the write lock, it is no longer a flap (then declare opens a new incident).
        """
        targets = self.channels_for(incident.channels)
        check_variables(variables, self.project.limits)  # the new ones: stored ones stay
        given = {**incident.variables, **variables}
        self._check_values(loaded.runbook, given)
        try:
            with self.store.write() as conn:
                current = _must(repo.get_incident(conn, incident.number))
                now = self.clock()
                chosen = severity or Severity(current.severity)
                interval = cadence or current.cadence_override
                changes: dict[str, Any] = {
                    "severity": chosen.value,
                    "phase": Phase.INVESTIGATING.value,
                    "next_update_at": now + (interval or loaded.runbook.cadence_for(chosen)),
                    "variables": given,
                    "updated_at": now,
                    **pin(loaded.runbook),  # a re-open is a declare: the approved file now
                    **UNBLOCKED,
                }
                if cadence is not None:
                    changes["cadence_seconds"] = int(cadence.total_seconds())
                if reason is not None:
                    changes["break_glass_reason"] = reason
                if not (
                    _flapped(current, loaded.id, window, now)
                    and repo.reopen_incident(conn, current.number, key, **changes)
                ):
                    # no flap any more: a racing declare re-opened it, or a postmortem went out
                    existing = repo.open_incident_by_dedupe_key(conn, key)
                    if existing is None:
                        return None
                    raise _Duplicate(existing)
                reopened = _must(repo.get_incident(conn, current.number))
                repo.add_event(
                    conn,
                    incident=current.number,
                    at=now,
                    kind="incident.reopened",
                    actor=actor,
                    detail={
                        "dedupe_key": key,
                        "resolved_at": _iso(current.resolved_at),
                        "cooldown": None if window is None else int(window.total_seconds()),
                        "severity": chosen.value,
                        "break_glass_reason": reason,
                    },
                )
                posted = self.post_message(
                    conn, reopened, loaded.runbook, Phase.UPDATE, targets, given, actor, now
                )
        except _Duplicate as duplicate:
            return self._deduplicated(duplicate.incident, actor)
        except IntegrityError:
            # a racing declare opened a new incident with the key first
            with self.store.read() as conn:
                existing = repo.open_incident_by_dedupe_key(conn, key)
            if existing is None:
                raise
            return self._deduplicated(existing, actor)
        log.warning("incident.reopened", incident=incident.id, dedupe_key=key)
        return replace(self._deliver(incident.number, posted), reopened=True)

    def _deduplicated(self, incident: IncidentRecord, actor: str, *, record: bool = True) -> Report:
        with self.store.write() as conn:
            if record:
                repo.add_event(
                    conn,
                    incident=incident.number,
                    at=self.clock(),
                    kind="incident.deduplicated",
                    actor=actor,
                    detail={"dedupe_key": incident.dedupe_key},
                )
            latest = repo.latest_message(conn, incident.number)
            delivered = [] if latest is None else repo.deliveries_of(conn, [latest.id])
        log.info("incident.deduplicated", incident=incident.id, dedupe_key=incident.dedupe_key)
        return Report(incident, delivered, latest, deduplicated=True)

    def _ref_by_dedupe_key(self, key: str) -> str:
        with self.store.read() as conn:
            found = repo.open_incident_by_dedupe_key(conn, key) or (
                repo.latest_incident_by_dedupe_key(conn, key)
            )
        if found is None:
            raise NotFoundError(
                f"no incident with dedupe key {key!r}; nothing to resolve "
                "(`outagecomms status` lists the open ones)"
            )
        return found.id

    def _existing(self, conn: Connection, number: int, ref: str) -> IncidentRecord:
        incident = repo.get_incident(conn, number)
        if incident is None:
            raise NotFoundError(
                f"no incident {ref!r} in {self.store.shown_url}; "
                "`outagecomms status --all` lists them"
            )
        return incident

    def channels_for(self, names: Sequence[str] | None) -> dict[str, Channel]:
        """The named channels (all enabled ones for ``None``), by name. A channel whose
        file is broken is left out (:meth:`broken_channels_for` says why): it fails only
        itself."""
        selected, broken = self.project.select_usable_channels(names or ())
        if not selected and not broken:
            raise ConfigError(
                f"no enabled channels in {self.project.channels_dir}; add a channels/*.yaml "
                "file (or pass --channel NAME) so the incident reaches someone"
            )
        return {c.name: c.channel for c in selected}

    def broken_channels_for(self, names: Sequence[str] | None) -> dict[str, str]:
        """The channels among ``names`` (every file for ``None``) whose file is broken:
        name -> the problem and the fix."""
        _, broken = self.project.select_usable_channels(names or ())
        return {
            name: f"{problem}; fix the file: this channel gets no message until it loads "
            "(`outagecomms lint` lists every problem)"
            for name, problem in broken.items()
        }

    def _check_values(self, runbook: Runbook, given: Mapping[str, str]) -> None:
        """Bad ``--var`` values are usage errors before anything is written."""
        for lang in runbook.languages:
            resolve_values(runbook, given, lang)

    def _actor(self, by: str | None) -> str:
        """Who posts: ``by``, else this orchestrator's actor (``--by``, OUTAGECOMMS_ACTOR,
        the OS user), checked like every value that reaches a reader."""
        return check_value(by or self.actor, "--by", max_length=ACTOR_MAX_LENGTH)

    def _reason(self, reason: str | None) -> str | None:
        cleaned = _clean_reason(reason)
        if cleaned is None:
            return None
        limit = self.project.limits.reason_max_length
        return check_value(
            cleaned, "--reason", max_length=limit, setting="reason_max_length", multiline=True
        )

    def lease_length(self) -> timedelta:
        """How long a claim on a delivery lasts: the send timeout plus a grace period."""
        return lease_length(self.timeout)


class _Duplicate(Exception):
    def __init__(self, incident: IncidentRecord) -> None:
        super().__init__(incident.id)
        self.incident = incident


OVERDUE_GRACE = timedelta(minutes=1)
"""A promise counts as late in ``status`` once this much past due (a worker's step)."""


def _overdue(incident: IncidentRecord, now: datetime) -> timedelta | None:
    due = incident.next_update_at
    if not incident.is_open or due is None or now - due < OVERDUE_GRACE:
        return None
    return now - due


def _whole_minutes(span: timedelta) -> timedelta:
    return timedelta(minutes=int(span.total_seconds() // 60))


def _must(incident: IncidentRecord | None) -> IncidentRecord:
    assert incident is not None, "the incident vanished inside its own transaction"
    return incident


def _non_blank(value: str | None, when_blank: str) -> str | None:
    """``value`` stripped; ``None`` stays ``None``; only blanks is a usage error."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise UsageError(when_blank)
    return value


def _clean_key(key: str | None) -> str | None:
    key = _non_blank(key, "--dedupe-key is empty; pass a stable name such as 'ci-payments-check'")
    if key is not None and len(key) > ACTOR_MAX_LENGTH:
        raise UsageError("--dedupe-key is longer than 255 characters; shorten it")
    return None if key is None else check_value(key, "--dedupe-key")


def _clean_reason(reason: str | None) -> str | None:
    return _non_blank(reason, "--reason is empty; say why the unapproved runbook must go out now")


def _flapped(
    incident: IncidentRecord, runbook_id: str, window: timedelta | None, now: datetime
) -> bool:
    """Whether a declare now is a flap of ``incident``: same runbook, resolved (without a
    postmortem yet) no longer than ``window`` ago."""
    return (
        window is not None
        and window > timedelta(0)
        and incident.runbook_id == runbook_id
        and incident.status == IncidentStatus.RESOLVED.value
        and incident.phase == Phase.RESOLVED.value
        and incident.resolved_at is not None
        and now - incident.resolved_at <= window
    )


def _follow_up_changes(
    incident: IncidentRecord,
    runbook: Runbook,
    phase: Phase,
    given: Mapping[str, str],
    now: datetime,
    severity: Severity | None = None,
) -> dict[str, Any]:
    """The columns posting ``phase`` on ``incident`` at ``now`` changes (``severity``: a
    change of course, whose cadence the next promise follows)."""
    changes: dict[str, Any] = {"variables": dict(given), "updated_at": now}
    if phase is Phase.RESOLVED:
        changes.update(
            status=IncidentStatus.RESOLVED.value,
            phase=phase.value,
            next_update_at=None,
            open_dedupe_key=None,
            resolved_at=now,
        )
    elif phase is Phase.POSTMORTEM:
        changes.update(phase=phase.value)
    elif phase is not Phase.CORRECTION:  # a correction keeps the phase and the promise
        chosen = severity or Severity(incident.severity)
        cadence = incident.cadence_override or runbook.cadence_for(chosen)
        changes["next_update_at"] = now + cadence
        if phase is not Phase.UPDATE:
            changes["phase"] = phase.value
    return changes


def _check_lifecycle(incident: IncidentRecord, phase: Phase) -> None:
    if phase is Phase.POSTMORTEM:
        if incident.is_open:
            raise RefusedError(
                f"{incident.id} is still open; a postmortem follows the resolution "
                f"(`outagecomms resolve {incident.id}` first)"
            )
        return
    if not incident.is_open:
        raise RefusedError(
            f"{incident.id} is already resolved; after resolution only "
            f"`outagecomms postmortem {incident.id}` may be sent "
            "(declare a new incident if the problem is back)"
        )
