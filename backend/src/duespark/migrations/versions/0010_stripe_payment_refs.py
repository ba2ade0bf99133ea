"""payments: only Stripe references are unique; references people type may repeat

Revision ID: 0010_stripe_payment_refs
Revises: 0007_insights
Create Date: 2026-11-25 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_stripe_payment_refs"
down_revision: str | Sequence[str] | None = "0007_insights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRIPE_ONLY = sa.text("method = 'stripe'")


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_constraint("uq_payments_method_external_reference", type_="unique")
    op.create_index(
        "uq_payments_stripe_reference",
        "payments",
        ["external_reference"],
        unique=True,
        postgresql_where=STRIPE_ONLY,
        sqlite_where=STRIPE_ONLY,
    )


def downgrade() -> None:
    # Fails if two manual payments now share a reference, as the old constraint cannot hold them.
    op.drop_index("uq_payments_stripe_reference", table_name="payments")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.create_unique_constraint("uq_payments_method_external_reference", ["method", "external_reference"])
