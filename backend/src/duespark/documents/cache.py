"""Generated invoice PDFs kept in storage while what they show is unchanged, so each reminder that
attaches one does not draw it again (drawing is most of the CPU a reminder with a PDF costs).

A copy is found by its content key: a hash of everything the PDF is drawn from (the sheet: issuer,
client, number, dates, amounts, description, payment lines and QR code), the invoice's status, the
language, the logo (its storage key, new with each upload) and the renderer itself (the source of
`pdf.py` and its wording, and fpdf2's version), so a payment, an edited bank account, a new logo or a
deployed layout change all draw anew. One copy per invoice is kept: `accounts/<account>/generated/
invoices/<invoice>/<key>.pdf`, the older one removed when a new one is stored. The copies are derived
data: they count towards no allowance, are not exported, and go with the account's prefix.

The cache never keeps a PDF from a client: a storage error while reading or writing a copy is logged
and the PDF drawn as if there were none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import fpdf
import structlog

from duespark.documents import pdf, wording
from duespark.documents.pdf import InvoiceSheet
from duespark.documents.storage import Storage, StoredFileMissing, account_prefix

log = structlog.get_logger(__name__)


def _renderer_version() -> str:
    digest = hashlib.sha256(fpdf.__version__.encode())
    for module in (pdf, wording):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


RENDERER = _renderer_version()


def content_key(sheet: InvoiceSheet, *, locale: str, status: str, logo_key: str | None) -> str:
    """The hash of what the PDF shows; `sheet` without the logo's bytes (`logo_key` stands for them)."""
    # repr of frozen dataclasses of str, int, date and bytes: stable across runs and processes.
    text = repr((RENDERER, sheet, locale, status, logo_key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folder(account_id: int, invoice_id: int) -> str:
    return f"{account_prefix(account_id)}generated/invoices/{int(invoice_id)}/"


def cached_pdf(storage: Storage, *, account_id: int, invoice_id: int, key: str, draw: Callable[[], bytes]) -> bytes:
    """The stored copy under `key`, else `draw()`'s PDF, stored in place of the invoice's older copy."""
    place = folder(account_id, invoice_id)
    try:
        return storage.get(f"{place}{key}.pdf")
    except StoredFileMissing:
        pass
    except Exception:
        log.exception("documents.cache_read_failed", invoice_id=invoice_id)
        return draw()
    data = draw()
    try:
        storage.delete_prefix(place)
        storage.put(f"{place}{key}.pdf", data, content_type="application/pdf")
    except Exception:
        log.exception("documents.cache_write_failed", invoice_id=invoice_id)
    return data
