"""Maintenance windows and the record of each step taken (one row per window, step,
sequence and reminder lead: the worker's idempotent claim).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("runbook_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("planned_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_windows"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_maintenance_windows_incident_id_incidents"
        ),
        sa.UniqueConstraint("incident_id", name="uq_maintenance_windows_incident_id"),
    )
    op.create_index(
        "ix_maintenance_windows_status_starts_at", "maintenance_windows", ["status", "starts_at"]
    )
    op.create_table(
        "maintenance_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("lead_seconds", sa.Integer(), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("done_at", UTC_TIME, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_steps"),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["maintenance_windows.id"],
            name="fk_maintenance_steps_window_id_maintenance_windows",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name="fk_maintenance_steps_message_id_messages"
        ),
        sa.UniqueConstraint(
            "window_id",
            "step",
            "sequence",
            "lead_seconds",
            name="uq_maintenance_steps_window_id_step_sequence_lead_seconds",
        ),
    )


def downgrade() -> None:
    op.drop_table("maintenance_steps")
    op.drop_table("maintenance_windows")
