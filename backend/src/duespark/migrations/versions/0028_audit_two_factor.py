"""audit_entries, recovery_codes; TOTP on users, devices on refresh_tokens, audit and 2FA settings on accounts

Revision ID: 0028_audit_two_factor
Revises: 0027_outgoing_webhooks
Create Date: 2026-12-03 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_audit_two_factor"
down_revision: str | Sequence[str] | None = "0027_outgoing_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


# Plain ALTER TABLE ADD COLUMN on both databases (as 0020): no batch copy of users or accounts.
def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", ID, nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_audit_entries_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_account_at", "audit_entries", ["account_id", "at"])
    op.create_index("ix_audit_entries_account_entity", "audit_entries", ["account_id", "entity_type", "entity_id"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("used_at", _timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_recovery_codes_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
        sa.UniqueConstraint("code_hash", name="uq_recovery_codes_code_hash"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.add_column("accounts", sa.Column("audit_record_ip", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("accounts", sa.Column("audit_retention_days", sa.Integer(), server_default="365", nullable=False))
    op.add_column("accounts", sa.Column("require_two_factor", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("totp_enabled_at", _timestamp(), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column("refresh_tokens", sa.Column("user_agent", sa.String(length=300), nullable=True))
    op.add_column("refresh_tokens", sa.Column("ip", sa.String(length=45), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("refresh_tokens", "ip"),
        ("refresh_tokens", "user_agent"),
        ("users", "totp_last_step"),
        ("users", "totp_enabled_at"),
        ("users", "totp_secret"),
        ("accounts", "require_two_factor"),
        ("accounts", "audit_retention_days"),
        ("accounts", "audit_record_ip"),
    ):
        op.drop_column(table, column)
    op.drop_index("ix_recovery_codes_user_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index("ix_audit_entries_account_entity", table_name="audit_entries")
    op.drop_index("ix_audit_entries_account_at", table_name="audit_entries")
    op.drop_table("audit_entries")
