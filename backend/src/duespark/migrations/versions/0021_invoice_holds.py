"""invoices.hold_kind / hold_until: holds the client causes (promise, dispute, "already paid", reply)

Revision ID: 0021_invoice_holds
Revises: 0020_token_version
Create Date: 2026-12-03 19:30:00

Kept apart from the user's own pause (reminders_paused, reminders_paused_until), see reminders/holds.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_invoice_holds"
down_revision: str | Sequence[str] | None = "0020_token_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (as 0020): a batch copy on SQLite would drop the trigram/expression indexes.
def upgrade() -> None:
    op.add_column("invoices", sa.Column("hold_kind", sa.String(length=20), nullable=True))
    op.add_column("invoices", sa.Column("hold_until", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("invoices", "hold_until")
    op.drop_column("invoices", "hold_kind")
