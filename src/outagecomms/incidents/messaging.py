"""The orchestrator's base: its collaborators (clock, senders, gate, store) and how one
message of an incident is composed, posted to the outbox and given its first attempt."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from outagecomms.approvals import ensure_sendable
from outagecomms.compose import Composed
from outagecomms.compose_once import ComposedOnce
from outagecomms.delivery import DEFAULT_RETRY, Outcome, Outgoing, RetryPolicy, send_all
from outagecomms.errors import (
    ConfigError,
    InterruptedByUser,
)
from outagecomms.fanout import ChannelText, Composition, channel_texts, compose_texts
from outagecomms.incidents.defaults import (
    ApprovalGate,
    default_actor,
    open_project_store,
    utcnow,
)
from outagecomms.incidents.rules import (
    _clean_reason,
    _must,
)
from outagecomms.incidents.views import (
    Report,
)
from outagecomms.inputs import check_value
from outagecomms.limits import ACTOR_MAX_LENGTH
from outagecomms.logs import get_logger
from outagecomms.models import Channel, ChannelKind, Phase, Runbook, Severity
from outagecomms.outbox.attempts import lease_length, record_attempt, release_unsent
from outagecomms.outbox.posting import Draft, Posted, Posting, post_messages, post_texts
from outagecomms.outbox.recipients import channel_for
from outagecomms.outbox.sending import SENDERS, Batch, KindSender, Sender, send_by_kind
from outagecomms.progress import FanoutProgress
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.records import (
    DeliveryRecord,
    IncidentRecord,
)
from outagecomms.templates import IncidentFacts, resolve_values

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


class Messaging:
    """What every incident use case stands on (:class:`~outagecomms.incidents.Orchestrator`
    is the class to use): incidents of one project on one store.

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
    def open(cls, project: Project, *, database_url: str | None = None, **options: Any) -> Self:
        """An orchestrator on the project's store (``database_url`` overrides settings)."""
        return cls(project, open_project_store(project, database_url), **options)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def runbook_of(self, incident: IncidentRecord) -> Runbook:
        """What the incident's messages render from: the runbook content pinned at declare
        (README "When things go wrong"), whatever the file says now. An incident declared
        before pinning existed renders from the file, which must still be approved."""
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
        draft = Draft(incident, runbook, phase, targets, given, composed)
        [posted] = self.post_messages(conn, [draft], actor, now, origin)
        return posted

    def post_messages(
        self,
        conn: Connection,
        drafts: Sequence[Draft],
        actor: str,
        now: datetime,
        origin: str = "human",
    ) -> list[Posted]:
        """Write each draft's message (at most one per incident) and its deliveries, as
        :meth:`post_message` writes one, all in the caller's transaction and a few
        statements for the batch (:func:`outagecomms.outbox.posting.post_messages`)."""
        postings = [self._posting(draft, actor, now) for draft in drafts]
        return post_messages(
            conn, postings, actor, now, origin,
            owner=self.owner, lease_until=now + self.lease_length(),
        )  # fmt: skip

    def _posting(self, draft: Draft, actor: str, now: datetime) -> Posting:
        """What each channel of ``draft`` gets, composed again only when its texts were
        made for other facts or channels."""
        incident, runbook, targets = draft.incident, draft.runbook, draft.targets
        broken = self.broken_channels_for(incident.channels)
        facts = self.facts_for(
            incident.id,
            Severity(incident.severity),
            incident.started_at,
            now,
            incident.next_update_at,
            resolved_at=incident.resolved_at,
        )
        composed = draft.composed
        if composed is None or composed.facts != facts or set(composed.texts) != set(targets):
            composed = self.compose_all(runbook, draft.phase, targets, facts, draft.given)
        texts = channel_texts(
            self.project, incident, runbook, draft.phase, targets, draft.given, actor, now,
            composed=composed.texts,
        )  # fmt: skip
        return Posting(incident, draft.phase, texts, draft.given, broken)

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
        *,
        once: ComposedOnce | None = None,
    ) -> Composition:
        """Every channel's text of one message, each template within the render budget.
        Called before the write transaction, so a slow template holds no lock and a
        template over budget fails the command before anything is written. ``once``: the
        texts already composed for other incidents at the same moment, shared where they
        are the same (the worker's batch of automatic updates)."""

        def compose(chosen: Mapping[str, Channel]) -> dict[str, Composed]:
            return compose_texts(self.project, runbook, phase, chosen, facts, given)

        if once is None:
            return Composition(facts, compose(targets))
        language = self.project.settings.default_language
        texts = once.texts(
            runbook, phase, targets, facts, given, default_language=language, compose=compose
        )
        return Composition(facts, texts)

    def _deliver(self, number: int, posted: Posted) -> Report:
        """The first attempt of every delivery of one committed message. After Ctrl-C,
        deliveries not yet sent are handed to the worker at once (no attempt counted)."""
        now = self.clock()
        interrupted = self.interrupt is not None and self.interrupt.is_set()
        with self.store.write() as conn:
            if interrupted or not self.deliver:
                mine = repo.deliveries_of(conn, [posted.message_id], subscribers=False)
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
                channel=channel_for(posted.channels[d.channel], d.recipient),
                title=d.title,
                body=d.body,
                idempotency_key=d.idempotency_key,
                recipient=d.recipient,
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
            delivered = repo.deliveries_of(conn, [posted.message_id], subscribers=False)
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
        return check_value(by or self.actor, "by", max_length=ACTOR_MAX_LENGTH)

    def _reason(self, reason: str | None) -> str | None:
        cleaned = _clean_reason(reason)
        if cleaned is None:
            return None
        limit = self.project.limits.reason_max_length
        return check_value(
            cleaned,
            "unapproved_reason",
            max_length=limit,
            setting="reason_max_length",
            multiline=True,
        )

    def lease_length(self) -> timedelta:
        """How long a claim on a delivery lasts: the send timeout plus a grace period."""
        return lease_length(self.timeout)
