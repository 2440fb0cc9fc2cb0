"""Two indexes:

- ``incidents (status, coalesce(resolved_at, started_at))``: the status page's window (the
  incidents resolved in the last ``site_window_days``) and a history month are a range of
  it, instead of a scan of every resolved incident;
- ``deliveries (message_id, audience, channel, state)``: the per-message counts ``status``
  and ``show`` print are read from the index alone (the table's rows carry every text).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOSED = "ix_incidents_status_closed_at"
COUNTS = "ix_deliveries_message_id_audience_channel_state"


def upgrade() -> None:
    closed_at: sa.ColumnElement[object] = sa.func.coalesce(
        sa.column("resolved_at"), sa.column("started_at")
    )
    op.create_index(CLOSED, "incidents", [sa.column("status"), closed_at])
    op.create_index(COUNTS, "deliveries", ["message_id", "audience", "channel", "state"])


def downgrade() -> None:
    op.drop_index(COUNTS, "deliveries")
    op.drop_index(CLOSED, "incidents")
