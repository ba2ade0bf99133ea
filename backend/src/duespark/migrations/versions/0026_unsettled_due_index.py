"""Partial index serving the overdue and open invoice lists in due-date order

Revision ID: 0026_unsettled_due_index
Revises: 0025_invoice_documents
Create Date: 2026-12-03 20:05:00

The overdue list (status open or partially paid, due before today) pages by due date with the id as
tie-breaker. Before PostgreSQL had statistics of a fresh import it fetched every matching id through
the (account, status, due date) index and sorted them all before cutting the page of 50. This index
holds exactly the unsettled invoices in page order, so the page is read from it in order (forwards,
or backwards for -due_date) whatever the estimates say (bench/plans/).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_unsettled_due_index"
down_revision: str | Sequence[str] | None = "0025_invoice_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_unsettled_due",
        "invoices",
        ["account_id", "due_date", "id"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'partially_paid')"),
        sqlite_where=sa.text("status IN ('open', 'partially_paid')"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_unsettled_due", table_name="invoices")
