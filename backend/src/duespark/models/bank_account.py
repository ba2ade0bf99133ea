from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class BankAccount(IdMixin, TimestampMixin, Base):
    """Where an account's clients send a bank transfer, one per currency (banktransfer/service.py).

    Either an IBAN (with an optional BIC) or a domestic account number with its bank's sort code (UK)
    or routing number (US); the API refuses both and neither."""

    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("account_id", "currency", name="uq_bank_accounts_account_currency"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    # The EPC QR code carries at most 70 characters of the beneficiary's name.
    payee_name: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    account_number: Mapped[str | None] = mapped_column(String(34))
    sort_code: Mapped[str | None] = mapped_column(String(6))
    routing_number: Mapped[str | None] = mapped_column(String(9))
    # What the client writes in the transfer's reference; "{invoice_number}" is replaced.
    reference_format: Mapped[str] = mapped_column(String(100), default="{invoice_number}")
    # An ISO 11649 creditor reference (RF..) built from the reference instead of free text.
    structured_reference: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The payee's structured address (Swiss Payment Standards, type S): a Swiss QR-bill names its creditor
    # with it (banktransfer/swiss.py); postcode, town and country are what a QR-bill needs at least.
    payee_street: Mapped[str | None] = mapped_column(String(70))
    payee_house_number: Mapped[str | None] = mapped_column(String(16))
    payee_postcode: Mapped[str | None] = mapped_column(String(16))
    payee_town: Mapped[str | None] = mapped_column(String(35))
    payee_country: Mapped[str | None] = mapped_column(String(2))
