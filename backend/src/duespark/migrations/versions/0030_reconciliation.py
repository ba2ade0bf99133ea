"""bank_statements, statement_entries: bank statement reconciliation (CAMT.053 and CSV imports)

Revision ID: 0030_reconciliation
Revises: 0029_promises17
Create Date: 2026-12-03 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0030_reconciliation"
down_revision: str | Sequence[str] | None = "0029_promises17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> duespark.models.base.UTCDateTime:
    return duespark.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("statement_ref", sa.String(length=140), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("entries_in_file", sa.Integer(), nullable=False),
        sa.Column("entries_new", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", ID, nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_bank_statements_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name="fk_bank_statements_uploaded_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bank_statements"),
        sa.UniqueConstraint("account_id", "sha256", name="uq_bank_statements_account_sha256"),
    )
    op.create_index("ix_bank_statements_account_id", "bank_statements", ["account_id"])
    op.create_table(
        "statement_entries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("statement_id", ID, nullable=False),
        sa.Column("entry_key", sa.String(length=200), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=True),
        sa.Column("creditor_reference", sa.String(length=64), nullable=True),
        sa.Column("bank_reference", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("skip_reason", sa.String(length=200), nullable=True),
        sa.Column("invoice_id", ID, nullable=True),
        sa.Column("payment_id", ID, nullable=True),
        sa.Column("applied_minor", sa.BigInteger(), nullable=True),
        sa.Column("confidence", sa.SmallInteger(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", _timestamp(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_statement_entries_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name="fk_statement_entries_statement_id_bank_statements",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name="fk_statement_entries_invoice_id_invoices", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_statement_entries_payment_id_payments", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name="fk_statement_entries_decided_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_statement_entries"),
        sa.UniqueConstraint("account_id", "entry_key", name="uq_statement_entries_account_key"),
        sa.UniqueConstraint("payment_id", name="uq_statement_entries_payment_id"),
    )
    op.create_index("ix_statement_entries_account_id", "statement_entries", ["account_id"])
    op.create_index("ix_statement_entries_statement", "statement_entries", ["statement_id", "id"])


def downgrade() -> None:
    op.drop_table("statement_entries")
    op.drop_table("bank_statements")
