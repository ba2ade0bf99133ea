"""ready: trigram indexes for the invoice and client searches (PostgreSQL)

Revision ID: 0012_search_index
Revises: 0011_late_fees
Create Date: 2026-11-25 22:40:00

The invoice list's search (`?q=`: number, description, client name or company) read every
invoice of the account and tested four ILIKE patterns on each: 140 ms at 50,000 invoices. With
GIN trigram indexes PostgreSQL reads only the matching rows (1.6 ms). SQLite keeps scanning: it
has no such index, and single-user databases are small. The extension stays on downgrade: other
objects may have come to use it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_search_index"
down_revision: str | Sequence[str] | None = "0011_late_fees"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = {"invoices": ("number", "description"), "clients": ("name", "company", "email")}


def _indexes():
    for table, columns in SEARCHED.items():
        for column in columns:
            yield table, column, f"ix_{table}_{column}_trgm"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in _indexes():
        op.create_index(name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, _column, name in _indexes():
        op.drop_index(name, table_name=table)
