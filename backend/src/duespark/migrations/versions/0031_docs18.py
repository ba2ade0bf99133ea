"""bank_accounts: the payee's structured address, for Swiss QR-bills (banktransfer/swiss.py)

Revision ID: 0031_docs18
Revises: 0030_reconciliation
Create Date: 2026-12-04 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_docs18"
down_revision: str | Sequence[str] | None = "0030_reconciliation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Lengths of the Swiss Payment Standards' structured address (type S).
COLUMNS = (
    ("payee_street", 70),
    ("payee_house_number", 16),
    ("payee_postcode", 16),
    ("payee_town", 35),
    ("payee_country", 2),
)


def upgrade() -> None:
    with op.batch_alter_table("bank_accounts") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_accounts") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
