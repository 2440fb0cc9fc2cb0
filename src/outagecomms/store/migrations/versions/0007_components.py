"""Components: the components each incident affects, and every change of a component's
status (README "Components").

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_components",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("component", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "component", name="pk_incident_components"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_incident_components_incident_id_incidents"
        ),
    )
    op.create_table(
        "component_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("component", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_component_changes"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_component_changes_incident_id_incidents"
        ),
    )
    op.create_index("ix_component_changes_component_at", "component_changes", ["component", "at"])


def downgrade() -> None:
    op.drop_table("component_changes")
    op.drop_table("incident_components")
