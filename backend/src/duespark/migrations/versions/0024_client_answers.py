"""client_answers: a client's promise to pay, dispute or "already paid" from the pay page; account settings for them

Revision ID: 0024_client_answers
Revises: 0023_bank_accounts
Create Date: 2026-12-03 19:40:00

The answers hold chasing through invoices.hold_kind / hold_until (0021, reminders/holds.py); this table keeps
what the client said and what the user decided. accounts gains promise_limit_days, promise_grace_days and
paid_claim_hold_days (plain ALTER TABLE with server defaults, no batch copy).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0024_client_answers"
down_revision: str | Sequence[str] | None = "0023_bank_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN_ROW = sa.text("status = 'open'")
OPEN_PROMISE = sa.text("status = 'open' AND kind = 'promise'")


def upgrade() -> None:
    op.add_column("accounts", sa.Column("promise_limit_days", sa.SmallInteger(), server_default="30", nullable=False))
    op.add_column("accounts", sa.Column("promise_grace_days", sa.SmallInteger(), server_default="2", nullable=False))
    op.add_column("accounts", sa.Column("paid_claim_hold_days", sa.SmallInteger(), server_default="5", nullable=False))
    op.create_table(
        "client_answers",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("disputed_minor", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", duespark.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", duespark.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", ID, nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_client_answers_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_client_answers_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_answers_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_client_answers_resolved_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_answers")),
    )
    op.create_index(
        "uq_client_answers_open",
        "client_answers",
        ["invoice_id", "kind"],
        unique=True,
        sqlite_where=OPEN_ROW,
        postgresql_where=OPEN_ROW,
    )
    op.create_index("ix_client_answers_account_status", "client_answers", ["account_id", "status", "created_at"])
    op.create_index("ix_client_answers_invoice", "client_answers", ["invoice_id", "created_at"])
    op.create_index(op.f("ix_client_answers_client_id"), "client_answers", ["client_id"])
    op.create_index(
        "ix_client_answers_open_promises",
        "client_answers",
        ["promised_date"],
        sqlite_where=OPEN_PROMISE,
        postgresql_where=OPEN_PROMISE,
    )


def downgrade() -> None:
    op.drop_table("client_answers")
    op.drop_column("accounts", "paid_claim_hold_days")
    op.drop_column("accounts", "promise_grace_days")
    op.drop_column("accounts", "promise_limit_days")
