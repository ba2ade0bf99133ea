from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class InvoiceDocument(IdMixin, Base):
    """A PDF of an invoice, its bytes in the storage backend (documents/storage.py) under `storage_key`.

    The key is made by the service (`accounts/<account id>/...`), never from the file name, which is
    kept only to name the download and the email attachment.
    """

    __tablename__ = "invoice_documents"
    __table_args__ = (Index("ix_invoice_documents_account_invoice", "account_id", "invoice_id"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # upload (the user's file), generated (made from the invoice's data), sync (an accounting system's PDF)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
