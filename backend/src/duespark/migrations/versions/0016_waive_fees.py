"""Late fees can be waived

Revision ID: 0016_waive_fees
Revises: 0015_dashboard_indexes
Create Date: 2026-11-26 03:10:00

A waived adjustment stays on record (its step is not charged again) and leaves the invoice's fees.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0016_waive_fees"
down_revision: str | Sequence[str] | None = "0015_dashboard_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoice_adjustments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waived_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoice_adjustments", schema=None) as batch_op:
        batch_op.drop_column("waived_at")
