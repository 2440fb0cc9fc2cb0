"""The state store's tables, as SQLAlchemy Core metadata (one definition for SQLite and
PostgreSQL).

The migrations under ``store/migrations/versions`` create exactly this schema; a test
compares the two. Timestamps are timezone-aware UTC in Python (:class:`UTCDateTime`).
Channel URLs are never stored: a delivery names its channel, and the URL (with its
secrets) is resolved from the project's channel file at send time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.types import TypeDecorator

from outagecomms.store.records import PENDING_STATES, DeliveryState, IncidentStatus

__all__ = ["PENDING_STATES", "DeliveryState", "IncidentStatus", "incident_closed_at", "metadata"]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC (naive UTC text on SQLite, ``timestamptz`` elsewhere)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; the store only takes aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("runbook_id", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("phase", String(16), nullable=False),
    Column("cadence_seconds", Integer, nullable=True),  # --cadence override; NULL: runbook's
    Column("next_update_at", UTCDateTime, nullable=True),
    Column("variables", JSON, nullable=False),
    Column("channels", JSON, nullable=True),  # --channel names; NULL: every enabled channel
    Column("dedupe_key", String(255), nullable=True),
    Column("open_dedupe_key", String(255), nullable=True),  # cleared on resolve
    Column("declared_by", String(255), nullable=False),
    Column("break_glass_reason", Text, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    # the next_update_at the internal channels were last reminded of (runbook `reminder:`)
    Column("reminded_for", UTCDateTime, nullable=True),
    # the approved runbook pinned at declare (README "When things go wrong"): every message
    # renders from it
    Column("runbook_sha256", String(80), nullable=True),
    Column("runbook_content", JSON, nullable=True),
    # the worker could not handle the incident: why, since when, and when it tries again
    Column("blocked_reason", Text, nullable=True),
    Column("blocked_at", UTCDateTime, nullable=True),
    Column("blocked_until", UTCDateTime, nullable=True),
    UniqueConstraint("open_dedupe_key"),
    Index(None, "status"),
    Index(None, "dedupe_key"),
    Index(None, "status", "next_update_at"),  # the worker's scan for due promises
)
incident_closed_at = func.coalesce(incidents.c.resolved_at, incidents.c.started_at)
"""When a resolved incident ended (its start when the store has no resolution time): the
status page's window and history months are ranges of it."""
Index("ix_incidents_status_closed_at", incidents.c.status, incident_closed_at)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("phase", String(16), nullable=False),
    Column("origin", String(16), nullable=False),  # "human" or "cadence" (the worker)
    Column("author", String(255), nullable=False),
    Column("variables", JSON, nullable=False),
    Column("next_update_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("incident_id", "seq"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False),
    Column("channel", String(128), nullable=False),  # the channel's NAME, never its URL
    Column("kind", String(16), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("title", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("length", Integer, nullable=False),
    Column("limit", Integer, nullable=True),
    Column("unit", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("possibly_duplicate", Boolean, nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("cut_from", Integer, nullable=True),  # the length before fitting; NULL: not cut
    # one address of the channel: a subscriber's, or one of a multi-recipient URL's (a
    # `to=` list, several numbers), each a delivery of its own; "": the channel's URL whole
    Column("recipient", String(2048), nullable=False, server_default=""),
    UniqueConstraint("message_id", "channel", "recipient"),
    UniqueConstraint("idempotency_key"),
    Index(None, "state", "due_at"),
    Index(None, "state", "due_at", "message_id", "id"),  # claims, in order, with a limit
    Index(None, "recipient"),
    Index(None, "message_id", "audience", "channel", "state"),  # counts from the index alone
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("actor", String(255), nullable=True),
    Column("detail", JSON, nullable=False),
    Index(None, "incident_id"),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(128), primary_key=True),  # host:pid:random, unique per run
    Column("hostname", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),  # the heartbeat
    Column("stopped_at", UTCDateTime, nullable=True),  # a clean shutdown
    Index(None, "seen_at"),
)
"""Worker heartbeats: `declare` and `status` warn when no worker has been seen lately."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("scope", String(16), nullable=False),  # read | declare | admin
    Column("token_sha256", String(64), nullable=False),  # the token itself is never stored
    Column("created_by", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    UniqueConstraint("token_sha256"),
    Index(None, "name"),
)
"""The service's bearer tokens (`outagecomms token create`): a SHA-256 of each, never the
token."""

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_name", String(128), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_sha256", String(64), nullable=False),  # method, path and body
    Column("status_code", Integer, nullable=True),  # NULL while the first request runs
    Column("response", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("token_name", "key"),
    Index(None, "created_at"),
)
"""The first answer to each ``Idempotency-Key`` of a POST, replayed to its retries."""

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),  # alertmanager | grafana | datadog | ...
    Column("dedupe_key", String(255), nullable=False),
    Column("firing", Boolean, nullable=False),
    Column("outcome", String(32), nullable=False),  # declared | resolved | unmatched | ...
    Column("route", String(128), nullable=True),  # the route taken, or the one almost taken
    Column("reason", Text, nullable=True),  # why it reached internal channels only
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("labels", JSON, nullable=False),  # never the alert's free text
    Column("received_at", UTCDateTime, nullable=False),
    Index(None, "source", "dedupe_key"),
    Index(None, "received_at"),
)
"""Every alert the hooks received and what became of it."""

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(2048), nullable=False),  # email, E.164 phone, or a URL
    Column("address_kind", String(8), nullable=False),  # email | phone | url
    Column("language", String(16), nullable=False),
    Column("components", JSON, nullable=False),  # component ids; []: every component
    Column("source", String(16), nullable=False),  # form | cli | import
    Column("consent_reason", Text, nullable=True),  # how consent was given or recorded
    Column("requested_ip", String(64), nullable=True),  # who asked (POST /subscribe)
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),  # NULL: nothing but the confirmation
    Column("confirmed_ip", String(64), nullable=True),
    Column("confirm_token_sha256", String(64), nullable=True),  # only a hash of the link's
    Column("unsubscribe_token", String(64), nullable=False),  # random; in every message
    Column("unsubscribed_at", UTCDateTime, nullable=True),  # STOP or unsubscribe
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("address"),
    UniqueConstraint("unsubscribe_token"),
    UniqueConstraint("confirm_token_sha256"),
    Index(None, "address_kind", "language"),
)
"""People who chose to hear from us (README "Subscribers"). The confirmation token is
stored as a SHA-256 (it is used once); the unsubscribe token is a random value kept as is,
since every later message carries it, and it can do nothing but unsubscribe."""

incident_components = Table(
    "incident_components",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id"), primary_key=True),
    Column("component", String(128), primary_key=True),  # an id of components.yaml
    Column("status", String(32), nullable=False),  # degraded_performance ... major_outage
)
"""The components each incident affects and the status it puts each in (set at declare)."""

component_changes = Table(
    "component_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("component", String(128), nullable=False),
    Column("status", String(32), nullable=False),  # the component's status from `at` on
    Column("at", UTCDateTime, nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("source", String(16), nullable=False),  # declare | resolve | reopen | manual
    Column("actor", String(255), nullable=True),
    Column("reason", Text, nullable=True),
    Index(None, "component", "at"),
)
"""Every change of a component's status: the latest row is its status now; the status page
draws its 90-day history from them."""

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the incident its messages belong to (status scheduled until the window starts)
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("runbook_id", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # scheduled|in_progress|completed|cancelled
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("components", JSON, nullable=False),  # --component ids, kept for the page
    Column("sequence", Integer, nullable=False),  # RFC 5545 SEQUENCE: raised on every change
    Column("planned_at", UTCDateTime, nullable=False),  # scheduled, or last rescheduled
    Column("created_by", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    UniqueConstraint("incident_id"),
    Index(None, "status", "starts_at"),
)
"""Scheduled maintenance windows (``outagecomms maintenance``)."""

maintenance_steps = Table(
    "maintenance_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("window_id", Integer, ForeignKey("maintenance_windows.id"), nullable=False),
    Column("step", String(32), nullable=False),  # announce|remind|start|complete|...
    Column("sequence", Integer, nullable=False),  # the window's sequence it was planned under
    Column("lead_seconds", Integer, nullable=False),  # a reminder's offset; 0 otherwise
    Column("due_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # posted | skipped
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=True),
    UniqueConstraint("window_id", "step", "sequence", "lead_seconds"),
)
"""Each step of a window taken once: the row is the claim (a second worker's insert
conflicts), written in the transaction that posts the step's message."""
