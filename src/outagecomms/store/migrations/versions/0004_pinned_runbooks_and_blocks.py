"""The approved runbook content pinned on each incident, blocked incidents, and the length a
delivery had before it was fitted to its channel.

``incidents.runbook_sha256`` / ``runbook_content``: what was approved when the incident was
declared (README "When things go wrong"); every later message renders from it. ``blocked_reason`` /
``blocked_at`` / ``blocked_until``: the worker could not handle the incident (a template
that raises, bad values) and holds it back until then. ``deliveries.cut_from``: the
measured length before the text was shortened to fit (NULL: not shortened).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("runbook_sha256", sa.String(80), nullable=True))
        batch.add_column(sa.Column("runbook_content", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("blocked_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("blocked_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("blocked_until", UTC_TIME, nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("cut_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("cut_from")
    with op.batch_alter_table("incidents") as batch:
        for column in (
            "blocked_until",
            "blocked_at",
            "blocked_reason",
            "runbook_content",
            "runbook_sha256",
        ):
            batch.drop_column(column)
