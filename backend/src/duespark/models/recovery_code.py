from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class RecoveryCode(IdMixin, Base):
    """One of the ten single-use codes that sign in instead of a TOTP code (a lost phone). Only an HMAC
    of the code is stored; using it is one conditional UPDATE, so two sign-ins with it cannot both win."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
