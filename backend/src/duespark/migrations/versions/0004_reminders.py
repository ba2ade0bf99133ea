"""reminders: policies, send slots, reminder rows; send window on accounts, pause and planning on invoices

Revision ID: 0004_reminders
Revises: 0003_worker
Create Date: 2026-11-25 19:16:04.923876
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0004_reminders"
down_revision: str | Sequence[str] | None = "0003_worker"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_send_slots",
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("window_start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("send_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "local_date", "timezone", "window_start_minute", "weekdays", name=op.f("pk_reminder_send_slots")
        ),
    )
    op.create_table(
        "reminder_policies",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reminder_policies_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_reminder_policies_client_id_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_policies")),
        sa.UniqueConstraint("client_id", name=op.f("uq_reminder_policies_client_id")),
    )
    with op.batch_alter_table("reminder_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_policies_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "uq_reminder_policies_account_default",
            ["account_id"],
            unique=True,
            sqlite_where=sa.text("client_id IS NULL"),
            postgresql_where=sa.text("client_id IS NULL"),
        )

    op.create_table(
        "reminder_policy_steps",
        sa.Column("policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=16), nullable=False),
        sa.Column("template_key", sa.String(length=32), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["reminder_policies.id"],
            name=op.f("fk_reminder_policy_steps_policy_id_reminder_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_policy_steps")),
    )
    with op.batch_alter_table("reminder_policy_steps", schema=None) as batch_op:
        batch_op.create_index("uq_reminder_policy_steps_policy_offset", ["policy_id", "offset_days"], unique=True)

    op.create_table(
        "reminders",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("step_key", sa.String(length=16), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("template_key", sa.String(length=32), nullable=False),
        sa.Column("scheduled_for", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("send_intent_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("uncertain_sends", sa.Integer(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("sent_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_reminders_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminders_due",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index("ix_reminders_invoice_scheduled", ["invoice_id", "scheduled_for"], unique=False)
        batch_op.create_index(
            "ix_reminders_leases",
            ["lease_expires_at"],
            unique=False,
            sqlite_where=sa.text("state = 'sending'"),
            postgresql_where=sa.text("state = 'sending'"),
        )
        batch_op.create_index(
            "uq_reminders_invoice_step",
            ["invoice_id", "due_date", "step_key"],
            unique=True,
            sqlite_where=sa.text("state <> 'canceled' OR reason = 'canceled_by_user'"),
            postgresql_where=sa.text("state <> 'canceled' OR reason = 'canceled_by_user'"),
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_window_start", sa.SmallInteger(), server_default="540", nullable=False))
        batch_op.add_column(sa.Column("send_window_end", sa.SmallInteger(), server_default="1020", nullable=False))
        batch_op.add_column(sa.Column("send_weekdays", sa.String(length=7), server_default="12345", nullable=False))

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminders_paused", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("reminders_paused_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("reminders_planned_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("reminders_planned_at")
        batch_op.drop_column("reminders_paused_until")
        batch_op.drop_column("reminders_paused")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("send_weekdays")
        batch_op.drop_column("send_window_end")
        batch_op.drop_column("send_window_start")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reminders_invoice_step",
            sqlite_where=sa.text("state <> 'canceled' OR reason = 'canceled_by_user'"),
            postgresql_where=sa.text("state <> 'canceled' OR reason = 'canceled_by_user'"),
        )
        batch_op.drop_index(
            "ix_reminders_leases",
            sqlite_where=sa.text("state = 'sending'"),
            postgresql_where=sa.text("state = 'sending'"),
        )
        batch_op.drop_index("ix_reminders_invoice_scheduled")
        batch_op.drop_index(
            "ix_reminders_due", sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'")
        )

    op.drop_table("reminders")
    with op.batch_alter_table("reminder_policy_steps", schema=None) as batch_op:
        batch_op.drop_index("uq_reminder_policy_steps_policy_offset")

    op.drop_table("reminder_policy_steps")
    with op.batch_alter_table("reminder_policies", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reminder_policies_account_default",
            sqlite_where=sa.text("client_id IS NULL"),
            postgresql_where=sa.text("client_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_reminder_policies_account_id"))

    op.drop_table("reminder_policies")
    op.drop_table("reminder_send_slots")
