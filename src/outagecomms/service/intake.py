"""Alerts in, incidents out: what every hook does once its source's payload is reduced
to :class:`~outagecomms.service.matcher.Alert` values (README "Alert intake: routes.yaml").

A firing alert that takes a route declares the route's approved runbook with the dedupe
key of its source (a repeat finds the open incident; a flap within the cool-down re-opens
it); a resolved one resolves the incident of that key if it is open. The message goes to
the outbox and the worker sends it, so the hook answers at once. An alert that takes no
route, whose label value has no entry, or whose runbook is refused, is recorded and shown
to the internal channels only (once per key and hour), with the route that almost matched.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import structlog

from outagecomms.delivery import Outgoing
from outagecomms.errors import ConfigError, NotFoundError, RefusedError, UsageError
from outagecomms.incidents import Orchestrator
from outagecomms.models import Audience
from outagecomms.project import Project
from outagecomms.service.matcher import Alert, Decision, decide
from outagecomms.service.routes_file import LoadedRoutes, load_routes
from outagecomms.service.values import duration
from outagecomms.store import Store
from outagecomms.store import service_records as records
from outagecomms.store.records import parse_incident_ref

log = structlog.get_logger(__name__)

MAX_DEDUPE_KEY = 255


@dataclass(frozen=True)
class Received:
    """What became of one alert, as the hook answers it."""

    source: str
    dedupe_key: str
    firing: bool
    outcome: str
    """declared, deduplicated, reopened, resolved, not-open, unmatched or refused"""
    labels: dict[str, str]
    incident: str | None = None
    route: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "dedupe_key": self.dedupe_key,
            "status": "firing" if self.firing else "resolved",
            "outcome": self.outcome,
            "incident": self.incident,
            "route": self.route,
            "reason": self.reason,
        }


@dataclass
class Intake:
    """Takes alerts for one project on one store, as ``actor`` (the hook's token)."""

    project: Project
    orchestrator: Orchestrator
    notices: list[Outgoing] = field(default_factory=list)
    """Internal notices to send once the hook has answered (:meth:`send_notices`)."""

    @property
    def store(self) -> Store:
        return self.orchestrator.store

    def routes(self) -> LoadedRoutes | None:
        return load_routes(self.project)

    def take(self, alerts: Sequence[Alert]) -> list[Received]:
        routes = self.routes()
        return [self._take(routes, alert) for alert in alerts]

    def decide(self, routes: LoadedRoutes | None, alert: Alert) -> Decision:
        return decide(routes, alert, self._languages)

    def _languages(self, runbook_id: str) -> list[str]:
        try:
            return list(self.project.runbook(runbook_id).runbook.languages)
        except (NotFoundError, ConfigError):
            return []

    def _take(self, routes: LoadedRoutes | None, alert: Alert) -> Received:
        alert = replace(alert, dedupe_key=bounded_key(alert.source, alert.dedupe_key))
        key = f"{alert.source}:{alert.dedupe_key}"
        if not alert.firing:
            return self._record(alert, self._resolve(alert, key))
        decision = self.decide(routes, alert)
        if not decision.matched:
            internal = self._internal(alert, "unmatched", decision.near, decision.problem)
            return self._record(alert, internal)
        assert decision.route is not None
        route = decision.route
        try:
            report = self.orchestrator.declare(
                route.runbook,
                severity=decision.severity,
                variables=decision.variables,
                dedupe_key=key,
                channels=route.channels,
                cooldown=duration("cooldown", route.cooldown, off_allowed=True),
            )
        except (RefusedError, UsageError, NotFoundError) as exc:
            return self._record(alert, self._internal(alert, "refused", route.name, str(exc)))
        done = (
            "deduplicated" if report.deduplicated else "reopened" if report.reopened else "declared"
        )
        received = Received(
            alert.source,
            alert.dedupe_key,
            True,
            done,
            dict(alert.labels),
            incident=report.incident.id,
            route=route.name,
        )
        return self._record(alert, received, number=report.incident.number)

    def _resolve(self, alert: Alert, key: str) -> Received:
        labels = dict(alert.labels)
        try:
            report = self.orchestrator.resolve_if_open(key)
        except (RefusedError, UsageError) as exc:
            return self._internal(alert, "refused", None, str(exc))
        if report is None or report.deduplicated:
            shown = None if report is None else report.incident.id
            return Received(alert.source, alert.dedupe_key, False, "not-open", labels, shown)
        return Received(
            alert.source, alert.dedupe_key, False, "resolved", labels, report.incident.id
        )

    def _internal(
        self, alert: Alert, outcome: str, route: str | None, reason: str | None
    ) -> Received:
        received = Received(
            alert.source,
            alert.dedupe_key,
            alert.firing,
            outcome,
            dict(alert.labels),
            route=route,
            reason=reason,
        )
        now = self.orchestrator.clock()
        with self.store.read() as conn:
            seen = records.recent_alert(
                conn,
                source=alert.source,
                dedupe_key=alert.dedupe_key,
                outcome=outcome,
                since=now - records.REPEAT_WINDOW,
            )
        if seen is None:
            self.notices.extend(self._notices(received))
        return received

    def _notices(self, received: Received) -> list[Outgoing]:
        """The internal channels' notice of an alert that reached no customer: its source,
        key, labels and why (staff only; still never the alert's free text)."""
        try:
            channels = [
                c.channel
                for c in self.project.select_channels()
                if c.channel.audience is Audience.INTERNAL
            ]
        except ConfigError as exc:
            log.warning("intake.notice_channels", error=str(exc))
            return []
        status = "firing" if received.firing else "resolved"
        labels = ", ".join(f"{k}={v}" for k, v in sorted(received.labels.items())) or "none"
        title = f"outagecomms: a {received.source} alert reached no customer"
        body = (
            f"[internal] A {status} {received.source} alert ({received.dedupe_key}) was "
            f"received but nothing was sent to customers: {received.reason}. Labels: {labels}. "
            "Declare by hand if customers are affected, and map it in routes.yaml "
            "(`outagecomms routes check PAYLOAD.json`)."
        )
        return [
            Outgoing(
                key=f"notice-{uuid.uuid4().hex[:12]}",
                channel=channel,
                title=title,
                body=body,
                idempotency_key=uuid.uuid4().hex,
            )
            for channel in channels
        ]

    def _record(self, alert: Alert, received: Received, *, number: int | None = None) -> Received:
        with self.store.write() as conn:
            records.insert_alert(
                conn,
                source=alert.source,
                dedupe_key=alert.dedupe_key,
                firing=alert.firing,
                outcome=received.outcome,
                route=received.route,
                reason=received.reason,
                incident_id=number if number is not None else _number(received.incident),
                labels=dict(alert.labels),
                received_at=self.orchestrator.clock(),
            )
        log.info(
            "intake.alert",
            source=alert.source,
            dedupe_key=alert.dedupe_key,
            outcome=received.outcome,
            incident=received.incident,
        )
        return received

    def send_notices(self) -> None:
        """Send the internal notices (after the hook answered; one attempt each)."""
        if not self.notices:
            return
        outcomes = self.orchestrator.send_now(self.notices)
        for outcome in outcomes:
            if not outcome.ok:
                log.warning("intake.notice_failed", error=outcome.error)
        self.notices = []


def bounded_key(source: str, key: str) -> str:
    """``key`` short enough that ``SOURCE:KEY`` fits a dedupe key (255 characters): a long
    one (Grafana's group keys can be) keeps its start and gains a hash of the whole."""
    room = MAX_DEDUPE_KEY - len(source) - 1
    if len(key) <= room:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{key[: room - len(digest) - 1]}~{digest}"


def _number(incident: str | None) -> int | None:
    return None if incident is None else parse_incident_ref(incident)
