"""insights: indexes for the dashboard's date-range queries

Revision ID: 0007_insights
Revises: 0006_payments
Create Date: 2026-11-25 19:26:00.842833

No index on messages.sent_at: SQLite's planner, without statistics, would prefer it to
(account_id, invoice_id) for "a reminder for this invoice in the 7 days before the payment"
and scan a week of messages per payment.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_insights"
down_revision: str | Sequence[str] | None = "0006_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_account_issue", ["account_id", "issue_date"], unique=False)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_account_paid_at", ["account_id", "paid_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_account_paid_at")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_account_issue")
