"""accounting_connections, accounting_links: Xero and QuickBooks Online sync

Revision ID: 0034_sync19
Revises: 0033_digest
Create Date: 2026-12-04 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import duespark.models.base

revision: str = "0034_sync19"
down_revision: str | Sequence[str] | None = "0033_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp() -> duespark.models.base.UTCDateTime:
    return duespark.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounting_connections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("oauth_nonce", sa.String(length=64), nullable=True),
        sa.Column("oauth_verifier_encrypted", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("tenant_name", sa.String(length=200), nullable=True),
        sa.Column("access_token_encrypted", sa.Text(), nullable=True),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=True),
        sa.Column("token_expires_at", _timestamp(), nullable=True),
        sa.Column("next_sync_at", _timestamp(), nullable=True),
        sa.Column("sync_lease_until", _timestamp(), nullable=True),
        sa.Column("modified_since", _timestamp(), nullable=True),
        sa.Column("cursor", JSON, nullable=True),
        sa.Column("last_sync_started_at", _timestamp(), nullable=True),
        sa.Column("last_sync_finished_at", _timestamp(), nullable=True),
        sa.Column("last_result", JSON, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_accounting_connections_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounting_connections"),
        sa.UniqueConstraint("account_id", "provider", name="uq_accounting_connections_account_id_provider"),
    )
    op.create_index("ix_accounting_connections_account_id", "accounting_connections", ["account_id"])
    op.create_index("ix_accounting_connections_next_sync", "accounting_connections", ["status", "next_sync_at"])
    op.create_index("ix_accounting_connections_tenant", "accounting_connections", ["provider", "tenant_id"])
    op.create_table(
        "accounting_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("local_id", ID, nullable=False),
        sa.Column("online_url", sa.Text(), nullable=True),
        sa.Column("synced_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["accounting_connections.id"],
            name="fk_accounting_links_connection_id_accounting_connections",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_accounting_links_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounting_links"),
        sa.UniqueConstraint(
            "connection_id", "kind", "external_id", name="uq_accounting_links_connection_id_kind_external_id"
        ),
    )
    op.create_index("ix_accounting_links_account_id", "accounting_links", ["account_id"])
    op.create_index("ix_accounting_links_local", "accounting_links", ["connection_id", "kind", "local_id"])


def downgrade() -> None:
    op.drop_table("accounting_links")
    op.drop_table("accounting_connections")
