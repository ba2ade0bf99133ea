"""Notices: what the user must be told about (a client's card checkout failed)

Revision ID: 0018_notices
Revises: 0017_messages_sent_index
Create Date: 2026-12-03 16:30:00

One row per account and kind, so repeats count up instead of piling up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0018_notices"
down_revision: str | Sequence[str] | None = "0017_messages_sent_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_notices_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("account_id", "kind", name="uq_notices_account_kind"),
    )


def downgrade() -> None:
    op.drop_table("notices")
