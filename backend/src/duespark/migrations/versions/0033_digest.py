"""digest_preferences, digest_sends: the daily digest email to members

Revision ID: 0033_digest
Revises: 0032_teams
Create Date: 2026-12-04 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0033_digest"
down_revision: str | Sequence[str] | None = "0032_teams"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> duespark.models.base.UTCDateTime:
    return duespark.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digest_preferences",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("send_hour", sa.SmallInteger(), server_default="7", nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_digest_preferences_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_digest_preferences_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_digest_preferences"),
        sa.UniqueConstraint("account_id", "user_id", name="uq_digest_preferences_account_id_user_id"),
    )
    op.create_index("ix_digest_preferences_user_id", "digest_preferences", ["user_id"])
    op.create_table(
        "digest_sends",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("message_id", ID, nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_digest_sends_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_digest_sends_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_digest_sends"),
        sa.UniqueConstraint(
            "user_id", "account_id", "local_date", name="uq_digest_sends_user_id_account_id_local_date"
        ),
    )
    op.create_index("ix_digest_sends_account_id", "digest_sends", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_sends_account_id", table_name="digest_sends")
    op.drop_table("digest_sends")
    op.drop_index("ix_digest_preferences_user_id", table_name="digest_preferences")
    op.drop_table("digest_preferences")
