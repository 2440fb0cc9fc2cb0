"""An index on ``deliveries (state, due_at, message_id, id)``: a claim walks the due
deliveries of one state in the order it takes them and stops at its limit, instead of
reading and sorting the whole backlog.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_deliveries_state_due_at_message_id_id"


def upgrade() -> None:
    op.create_index(NAME, "deliveries", ["state", "due_at", "message_id", "id"])


def downgrade() -> None:
    op.drop_index(NAME, "deliveries")
