"""adaptive reminders: client adaptations, switches, follow-up flag

Revision ID: 0008_adaptive
Revises: 0010_stripe_payment_refs
Create Date: 2026-11-25 20:29:53.562567
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0008_adaptive"
down_revision: str | Sequence[str] | None = "0010_stripe_payment_refs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "client_adaptations",
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("professional", sa.Boolean(), nullable=False),
        sa.Column("paid_invoices", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_adaptations_client_id_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_adaptations")),
    )
    with op.batch_alter_table("client_adaptations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_adaptations_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adaptive_reminders", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("merge_statements", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adaptive_reminders", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("needs_personal_follow_up", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("follow_up_reason", sa.Text(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("follow_up_reason")
        batch_op.drop_column("needs_personal_follow_up")
        batch_op.drop_column("adaptive_reminders")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("merge_statements")
        batch_op.drop_column("adaptive_reminders")

    with op.batch_alter_table("client_adaptations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_adaptations_account_id"))

    op.drop_table("client_adaptations")
