"""Initial schema: incidents, messages, deliveries (the outbox) and the event log.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("runbook_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("cadence_seconds", sa.Integer(), nullable=True),
        sa.Column("next_update_at", UTC_TIME, nullable=True),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=True),
        sa.Column("dedupe_key", sa.String(255), nullable=True),
        sa.Column("open_dedupe_key", sa.String(255), nullable=True),
        sa.Column("declared_by", sa.String(255), nullable=False),
        sa.Column("break_glass_reason", sa.Text(), nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        sa.UniqueConstraint("open_dedupe_key", name="uq_incidents_open_dedupe_key"),
    )
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_index("ix_incidents_dedupe_key", "incidents", ["dedupe_key"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("next_update_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_messages_incident_id_incidents"
        ),
        sa.UniqueConstraint("incident_id", "seq", name="uq_messages_incident_id_seq"),
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("possibly_duplicate", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name="fk_deliveries_message_id_messages"
        ),
        sa.UniqueConstraint("message_id", "channel", name="uq_deliveries_message_id_channel"),
        sa.UniqueConstraint("idempotency_key", name="uq_deliveries_idempotency_key"),
    )
    op.create_index("ix_deliveries_state_due_at", "deliveries", ["state", "due_at"])

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_events_incident_id_incidents"
        ),
    )
    op.create_index("ix_events_incident_id", "events", ["incident_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_index("ix_deliveries_state_due_at", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("messages")
    op.drop_index("ix_incidents_dedupe_key", "incidents")
    op.drop_index("ix_incidents_status", "incidents")
    op.drop_table("incidents")
