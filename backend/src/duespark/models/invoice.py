from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin, trigram_indexes
from duespark.models.client import Client


class Invoice(IdMixin, TimestampMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        UniqueConstraint("account_id", "external_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("amount_paid_minor >= 0", name="amount_paid_not_negative"),
        Index("ix_invoices_account_status_due", "account_id", "status", "due_date"),
        Index("ix_invoices_account_client", "account_id", "client_id"),
        # insights: invoiced per period and days sales outstanding filter by issue date.
        Index("ix_invoices_account_issue", "account_id", "issue_date"),
        # loadfaults: the invoice list pages by due date (its default sort) across statuses, e.g. overdue =
        # open or partially paid; with the id as tie-breaker an index scan serves the page without a sort.
        Index("ix_invoices_account_due_id", "account_id", "due_date", "id"),
        # Payment behaviour (insights, the dashboard's forecast, the adaptive planner) aggregates the delays of
        # paid invoices per client: read from this index alone, never from the table.
        Index(
            "ix_invoices_paid_delays",
            "account_id",
            "client_id",
            "due_date",
            "paid_at",
            postgresql_where=text("status = 'paid'"),
            sqlite_where=text("status = 'paid'"),
        ),
        # The dashboard's receivables, aging and forecast sum the open invoices: every column they read is here.
        Index(
            "ix_invoices_unsettled_balances",
            "account_id",
            "client_id",
            "currency",
            "due_date",
            "amount_minor",
            "fees_minor",
            "amount_paid_minor",
            postgresql_where=text("status IN ('open', 'partially_paid')"),
            sqlite_where=text("status IN ('open', 'partially_paid')"),
        ),
        # The overdue and open lists page the unsettled invoices by due date and id: read in that order from
        # here (backwards for -due_date), never all matches sorted first, even on estimates a bulk import left.
        Index(
            "ix_invoices_unsettled_due",
            "account_id",
            "due_date",
            "id",
            postgresql_where=text("status IN ('open', 'partially_paid')"),
            sqlite_where=text("status IN ('open', 'partially_paid')"),
        ),
        # The list's search (ILIKE '%text%') on PostgreSQL; SQLite has an FTS5 trigram index (migration 0036).
        *trigram_indexes("invoices", "number", "description"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(IdType, ForeignKey("clients.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(64))
    # Money is an integer count of the currency's minor units.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    amount_paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Late fees and interest added by reminders: always the sum of the invoice's adjustments,
    # kept here so balances stay one expression in SQL (models/invoice_adjustment.py).
    fees_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    paid_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    description: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(128))
    reminders_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Paused with no date means paused until resumed by hand.
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reminders_paused_until: Mapped[date | None]
    # A hold the client caused (a promise to pay, a dispute, "already paid", a reply), kept apart from the
    # user's own pause so that ending one never lifts the other (reminders/holds.py). No end date: until resolved.
    hold_kind: Mapped[str | None] = mapped_column(String(20))
    hold_until: Mapped[date | None]
    # When the reminder planner last planned this invoice; NULL or older than a change means "plan again".
    reminders_planned_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship(lazy="raise")

    # Both also work in SQL (`Invoice.balance_minor`), so every outstanding figure counts fees the same way.
    @hybrid_property
    def total_minor(self) -> int:
        """What the client owes in all: the invoice amount plus late fees."""
        # An invoice not stored yet (a preview's sample) has no fees; the column default applies on insert.
        return self.amount_minor + (self.fees_minor or 0)

    @total_minor.inplace.expression
    @classmethod
    def _total_minor_sql(cls) -> ColumnElement[int]:
        return cls.amount_minor + cls.fees_minor

    @hybrid_property
    def balance_minor(self) -> int:
        """What is still to pay, fees included."""
        return self.total_minor - self.amount_paid_minor

    @balance_minor.inplace.expression
    @classmethod
    def _balance_minor_sql(cls) -> ColumnElement[int]:
        return cls.amount_minor + cls.fees_minor - cls.amount_paid_minor
