"""Subscribers (README "Subscribers"), and one delivery per recipient: ``deliveries``
gets ``recipient`` (a subscriber's address, or one address of a multi-recipient URL) and
its uniqueness becomes per message, channel and recipient.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
"""Names SQLite's reflection may have lost (a table rewritten by ALTER TABLE)."""


def upgrade() -> None:
    with op.batch_alter_table("deliveries", naming_convention=NAMING) as batch:
        batch.add_column(sa.Column("recipient", sa.String(2048), nullable=False, server_default=""))
        batch.drop_constraint("uq_deliveries_message_id_channel", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_message_id_channel_recipient", ["message_id", "channel", "recipient"]
        )
        batch.create_index("ix_deliveries_recipient", ["recipient"])
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(2048), nullable=False),
        sa.Column("address_kind", sa.String(8), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("consent_reason", sa.Text(), nullable=True),
        sa.Column("requested_ip", sa.String(64), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("confirmed_at", UTC_TIME, nullable=True),
        sa.Column("confirmed_ip", sa.String(64), nullable=True),
        sa.Column("confirm_token_sha256", sa.String(64), nullable=True),
        sa.Column("unsubscribe_token", sa.String(64), nullable=False),
        sa.Column("unsubscribed_at", UTC_TIME, nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.UniqueConstraint("address", name="uq_subscribers_address"),
        sa.UniqueConstraint("unsubscribe_token", name="uq_subscribers_unsubscribe_token"),
        sa.UniqueConstraint("confirm_token_sha256", name="uq_subscribers_confirm_token_sha256"),
    )
    op.create_index(
        "ix_subscribers_address_kind_language", "subscribers", ["address_kind", "language"]
    )


def downgrade() -> None:
    op.drop_index("ix_subscribers_address_kind_language", table_name="subscribers")
    op.drop_table("subscribers")
    with op.batch_alter_table("deliveries", naming_convention=NAMING) as batch:
        batch.drop_index("ix_deliveries_recipient")
        batch.drop_constraint("uq_deliveries_message_id_channel_recipient", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_message_id_channel", ["message_id", "channel"]
        )
        batch.drop_column("recipient")
