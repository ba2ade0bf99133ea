from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType

OPEN_ROW = "status = 'open'"


class ClientAnswer(IdMixin, Base):
    """What a client answered about an invoice from its signed link: a promise to pay by a date, a
    dispute or question, or "I already paid". Never deleted: the user's decision is its history.

    `kind` promise: open -> kept | missed | canceled; dispute: open -> resolved; paid_claim: open ->
    confirmed | rejected. Any open answer of a voided invoice ends canceled.
    """

    __tablename__ = "client_answers"
    __table_args__ = (
        # One open answer of each kind per invoice: the client's repeat is the same answer (idempotent),
        # and two requests at the same moment cannot both open one.
        Index(
            "uq_client_answers_open",
            "invoice_id",
            "kind",
            unique=True,
            sqlite_where=text(OPEN_ROW),
            postgresql_where=text(OPEN_ROW),
        ),
        # Needs attention and the list: the account's open answers, newest first.
        Index("ix_client_answers_account_status", "account_id", "status", "created_at"),
        Index("ix_client_answers_invoice", "invoice_id", "created_at"),
        # The worker's look for promises past their date.
        Index(
            "ix_client_answers_open_promises",
            "promised_date",
            sqlite_where=text("status = 'open' AND kind = 'promise'"),
            postgresql_where=text("status = 'open' AND kind = 'promise'"),
        ),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(IdType, ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # Where the client answered: the pay page or the client portal.
    source: Mapped[str] = mapped_column(String(16))
    promised_date: Mapped[date | None]
    # The part of the invoice a dispute is about, in the invoice's currency (None: all of it or unsaid).
    disputed_minor: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None]
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # The user who decided (resolved, confirmed, rejected, canceled); None when the engine did (kept, missed).
    resolved_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="SET NULL"))
    # The user's words on resolving, or what the engine did (the date a missed promise was mailed about).
    resolution_note: Mapped[str | None] = mapped_column(Text)
