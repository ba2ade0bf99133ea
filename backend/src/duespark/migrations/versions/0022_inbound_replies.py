"""inbound_messages, inbound_attachments; messages.header_message_id; accounts.reply_hold_days / forward_replies

Revision ID: 0022_inbound_replies
Revises: 0021_invoice_holds
Create Date: 2026-12-03 20:00:00

Replies by email (inbound/): a client's mail filed under its invoice, the files that came with it (kept
when small), the Message-ID each sent email had (a reply's In-Reply-To names it), and the account's
choices: how long a reply holds the reminders, and whether replies are forwarded to the owner.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duespark.models.base

revision: str = "0022_inbound_replies"
down_revision: str | Sequence[str] | None = "0021_invoice_holds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = duespark.models.base.UTCDateTime(timezone=True)


# Plain ALTER TABLE for the added columns (as 0020, 0021): no batch copy of accounts or messages.
def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=True),
        sa.Column("invoice_id", ID, nullable=True),
        sa.Column("invoice_ids", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("matched_by", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("in_reply_to", sa.Text(), nullable=True),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("from_email", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=64), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("forwarded_message_id", ID, nullable=True),
        sa.Column("answer_message_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_inbound_messages_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_inbound_messages_client_id_clients"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_inbound_messages_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("account_id", "dedup_key", name=op.f("uq_inbound_messages_account_id_dedup_key")),
    )
    op.create_index("ix_inbound_messages_account_invoice", "inbound_messages", ["account_id", "invoice_id"])
    op.create_index("ix_inbound_messages_account_answered", "inbound_messages", ["account_id", "kind", "answered_at"])
    op.create_table(
        "inbound_attachments",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("inbound_message_id", ID, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_inbound_attachments_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_inbound_attachments_inbound_message_id_inbound_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_attachments")),
    )
    op.create_index(op.f("ix_inbound_attachments_inbound_message_id"), "inbound_attachments", ["inbound_message_id"])
    op.add_column("messages", sa.Column("header_message_id", sa.String(length=255), nullable=True))
    op.create_index(op.f("ix_messages_header_message_id"), "messages", ["header_message_id"])
    op.add_column("accounts", sa.Column("reply_hold_days", sa.SmallInteger(), server_default="3", nullable=False))
    op.add_column("accounts", sa.Column("forward_replies", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column("accounts", "forward_replies")
    op.drop_column("accounts", "reply_hold_days")
    op.drop_index(op.f("ix_messages_header_message_id"), table_name="messages")
    op.drop_column("messages", "header_message_id")
    op.drop_index(op.f("ix_inbound_attachments_inbound_message_id"), table_name="inbound_attachments")
    op.drop_table("inbound_attachments")
    op.drop_index("ix_inbound_messages_account_answered", table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_account_invoice", table_name="inbound_messages")
    op.drop_table("inbound_messages")
