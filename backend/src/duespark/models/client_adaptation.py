from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdType


class ClientAdaptation(Base):
    """How the planner adapts one client's reminders, refreshed from their payment history.

    One row per client the planner has looked at; the planner joins it in SQL, so adapting
    costs one grouped query per run, not work per invoice.
    """

    __tablename__ = "client_adaptations"

    client_id: Mapped[int] = mapped_column(IdType, ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(IdType, index=True)
    # early | chronic_late | first_time | None (no schedule change)
    profile: Mapped[str | None] = mapped_column(String(20))
    # "Acme pays 4 days early on average over 6 invoices": the reasons quote it.
    summary: Mapped[str | None] = mapped_column(Text)
    # "2 of 3 promises to pay were missed since June 4, 2026": an early payer who broke promises keeps the
    # reminders before the due date (no courtesy pause); None otherwise.
    promise_note: Mapped[str | None] = mapped_column(Text)
    professional: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_invoices: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime]
