"""accounting_connections: write Stripe payments back to the books

Revision ID: 0035_write_back
Revises: 0034_sync19
Create Date: 2026-12-04 11:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0035_write_back"
down_revision: str | Sequence[str] | None = "0034_sync19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounting_connections") as batch:
        batch.add_column(sa.Column("write_back_since", duespark.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("payment_account", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounting_connections") as batch:
        batch.drop_column("payment_account")
        batch.drop_column("write_back_since")
