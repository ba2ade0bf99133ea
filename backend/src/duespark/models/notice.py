from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class Notice(IdMixin, Base):
    """Something the user must know that happened without them (a client's card payment failed, ...).

    One row per account and kind: a repeat raises `count` and `last_at`, and undoes a dismissal,
    so a failing Stripe key is one notice that says how often, not a flood.
    """

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("account_id", "kind", name="uq_notices_account_kind"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    dismissed_at: Mapped[datetime | None]
