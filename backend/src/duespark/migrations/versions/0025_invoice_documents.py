"""invoice_documents, the account's profile (address, tax id, logo) and the per-step PDF attachment switch

Revision ID: 0025_invoice_documents
Revises: 0024_client_answers
Create Date: 2026-12-03 19:40:00

Steps before the due date (negative offset) stop attaching the PDF: a friendly note before the due date
reads lighter without an attachment; every other step attaches it, as new policies do (documents/).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_invoice_documents"
down_revision: str | Sequence[str] | None = "0024_client_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invoice_documents",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("account_id", ID, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False, unique=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_invoice_documents_account_invoice", "invoice_documents", ["account_id", "invoice_id"])
    # Plain ALTER TABLE on both databases (as 0021): a batch copy on SQLite would drop indexes.
    op.add_column("accounts", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("tax_id", sa.String(length=64), nullable=True))
    op.add_column("accounts", sa.Column("logo_key", sa.String(length=255), nullable=True))
    op.add_column(
        "reminder_policy_steps",
        sa.Column("attach_pdf", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.execute(sa.text("UPDATE reminder_policy_steps SET attach_pdf = false WHERE offset_days < 0"))


def downgrade() -> None:
    op.drop_column("reminder_policy_steps", "attach_pdf")
    op.drop_column("accounts", "logo_key")
    op.drop_column("accounts", "tax_id")
    op.drop_column("accounts", "address")
    op.drop_index("ix_invoice_documents_account_invoice", table_name="invoice_documents")
    op.drop_table("invoice_documents")
