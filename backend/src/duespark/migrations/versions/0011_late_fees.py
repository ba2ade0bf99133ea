"""late fees and interest: invoice adjustments, fees on invoices, a fee per policy step, the statutory rate

Revision ID: 0011_late_fees
Revises: 0009_perf
Create Date: 2026-11-25 22:06:09

Columns are only added to the existing tables (no CHECK constraints there): on SQLite a new
constraint rebuilds the table, and rebuilding `invoices` with foreign keys on would cascade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0011_late_fees"
down_revision: str | Sequence[str] | None = "0009_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INTEREST = sa.text("kind = 'daily_interest'")


def upgrade() -> None:
    op.create_table(
        "invoice_adjustments",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("reminder_id", ID, nullable=True),
        sa.Column("step_key", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("created_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "kind IN ('fixed', 'percent', 'daily_interest')", name=op.f("ck_invoice_adjustments_kind_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_invoice_adjustments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_invoice_adjustments_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_adjustments_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name=op.f("fk_invoice_adjustments_reminder_id_reminders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_adjustments")),
        sa.UniqueConstraint("invoice_id", "step_key", name=op.f("uq_invoice_adjustments_invoice_id_step_key")),
    )
    with op.batch_alter_table("invoice_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_adjustments_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "uq_invoice_adjustments_interest_period",
            ["invoice_id", "period_start"],
            unique=True,
            sqlite_where=INTEREST,
            postgresql_where=INTEREST,
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late_interest_rate_bp", sa.Integer(), server_default="1200", nullable=False))

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fees_minor", sa.BigInteger(), server_default="0", nullable=False))

    with op.batch_alter_table("reminder_policy_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("fee_amount_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("fee_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("fee_rate_bp", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder_policy_steps", schema=None) as batch_op:
        batch_op.drop_column("fee_rate_bp")
        batch_op.drop_column("fee_currency")
        batch_op.drop_column("fee_amount_minor")
        batch_op.drop_column("fee_kind")

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("fees_minor")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("late_interest_rate_bp")

    op.drop_index("uq_invoice_adjustments_interest_period", table_name="invoice_adjustments")
    op.drop_index(op.f("ix_invoice_adjustments_account_id"), table_name="invoice_adjustments")
    op.drop_table("invoice_adjustments")
