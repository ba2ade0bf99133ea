from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class BankStatement(IdMixin, Base):
    """An uploaded bank statement (CAMT.053 or a bank's CSV export), reconciliation/service.py.

    The same file uploaded again is this row again (unique on its SHA-256 per account); its entries are
    `statement_entries`, each stored once per account whichever file brought it first."""

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("account_id", "sha256", name="uq_bank_statements_account_sha256"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    # "camt053" or "csv".
    format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    # The statement's own id (CAMT Stmt/Id) and the account it is of (IBAN), where the file says.
    statement_ref: Mapped[str | None] = mapped_column(String(140))
    iban: Mapped[str | None] = mapped_column(String(34))
    # Entries the file held, those new to the account (the rest came with an earlier file), and skipped ones.
    entries_in_file: Mapped[int] = mapped_column(Integer)
    entries_new: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
