from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class Suppression(IdMixin, Base):
    """An address nothing more is sent to: in one account (a complaint) or everywhere (a hard bounce).

    `email` is stored lower-cased.
    """

    __tablename__ = "suppressions"

    account_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


# One row per scope and address; "everywhere" (NULL account) is one scope too, which a plain unique
# constraint would not enforce since NULLs are distinct.
Index(
    "uq_suppressions_scope_email",
    func.coalesce(Suppression.account_id, 0),
    Suppression.email,
    unique=True,
)
