"""bank_accounts: where clients pay by bank transfer, one account per currency

Revision ID: 0023_bank_accounts
Revises: 0022_inbound_replies
Create Date: 2026-12-03 19:45:00

IBAN (+ BIC) or account number with sort code / routing number; the reference format says what the
client writes on the transfer (banktransfer/service.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0023_bank_accounts"
down_revision: str | Sequence[str] | None = "0022_inbound_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payee_name", sa.String(length=70), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("account_number", sa.String(length=34), nullable=True),
        sa.Column("sort_code", sa.String(length=6), nullable=True),
        sa.Column("routing_number", sa.String(length=9), nullable=True),
        sa.Column("reference_format", sa.String(length=100), nullable=False),
        sa.Column("structured_reference", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_bank_accounts_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("account_id", "currency", name="uq_bank_accounts_account_currency"),
    )
    op.create_index(op.f("ix_bank_accounts_account_id"), "bank_accounts", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bank_accounts_account_id"), table_name="bank_accounts")
    op.drop_table("bank_accounts")
