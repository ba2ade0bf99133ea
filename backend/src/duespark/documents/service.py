"""Invoice documents: uploaded PDFs (one invoice, or many matched by file name), the account's logo,
and the PDF a client receives: the newest upload, else one generated from the invoice's data.

Generated PDFs always show the invoice as it is now (a payment since changes the balance): a copy
is kept by content (cache.py), so an unchanged invoice is not drawn again for each reminder, and it
takes none of the account's storage allowance.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import event, func
from sqlalchemy.orm import Session

from duespark.banktransfer import wording as transfer_wording
from duespark.banktransfer.service import TransferDetails, bank_account_for, statement_transfers, transfer_for_invoice
from duespark.clock import Clock, today_in
from duespark.documents import cache, checks
from duespark.documents.pdf import InvoiceSheet, Issuer, PaymentInstructions, StatementLine, StatementSheet
from duespark.documents.pdf import invoice_pdf as draw_invoice
from duespark.documents.pdf import statement_pdf as draw_statement
from duespark.documents.storage import Storage, account_prefix, key_of_account, new_key
from duespark.errors import InvalidInput, PayloadTooLarge
from duespark.models import Account, Client, Invoice, InvoiceDocument
from duespark.models.enums import InvoiceStatus
from duespark.payments.i18n import resolve_locale
from duespark.settings import Settings
from duespark.tenancy import get_owned, scoped

PDF = "application/pdf"
UNSETTLED = (InvoiceStatus.open, InvoiceStatus.partially_paid)
# Where a file name is cut into words to find an invoice number in it: "Invoice INV-7_final.pdf".
_NAME_SEPARATORS = re.compile(r"[\s_.,;()\[\]+]+")
MAX_NAME_WORDS = 24


@dataclass(frozen=True)
class InvoicePdf:
    file_name: str
    data: bytes
    source: str  # upload | sync | generated


def account_bytes_used(session: Session, account_id: int) -> int:
    total = session.scalar(scoped(InvoiceDocument, account_id, func.coalesce(func.sum(InvoiceDocument.size_bytes), 0)))
    return int(total or 0)


def _check_allowance(session: Session, account_id: int, adding: int, settings: Settings) -> None:
    used = account_bytes_used(session, account_id)
    limit = settings.document_max_account_bytes
    if used + adding > limit:
        raise PayloadTooLarge(
            f"file: this account's documents would take {checks.megabytes(used + adding)}, over its allowance of "
            f"{checks.megabytes(limit)} (DUESPARK_DOCUMENT_MAX_ACCOUNT_BYTES); delete old documents first"
        )


def _store(
    session: Session, storage: Storage, *, invoice: Invoice, data: bytes, file_name: str, source: str, now: datetime
) -> InvoiceDocument:
    key = new_key(invoice.account_id, "invoices", "pdf")
    storage.put(key, data, content_type=PDF)
    document = InvoiceDocument(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        storage_key=key,
        file_name=checks.clean_file_name(file_name, fallback=invoice.number),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        created_at=now,
    )
    session.add(document)
    session.flush()
    return document


def upload(
    session: Session,
    storage: Storage,
    *,
    account_id: int,
    invoice_id: int,
    data: bytes,
    file_name: str | None,
    settings: Settings,
    clock: Clock,
    source: str = "upload",
) -> InvoiceDocument:
    """Check the file (size, then a real PDF), the account's allowance, then store it on the invoice."""
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    checks.check_size(data, limit=settings.document_max_file_bytes, field="file", what="file")
    checks.check_pdf(data, file_name=file_name)
    _check_allowance(session, account_id, len(data), settings)
    return _store(
        session, storage, invoice=invoice, data=data, file_name=file_name or "", source=source, now=clock.now()
    )


def _name_candidates(file_name: str) -> list[str]:
    """Every run of whole words in the file name's stem, lower-cased: "inv 7 final" gives "inv", "inv 7", ..."""
    stem = re.split(r"[\\/]", file_name)[-1]
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    words = [w for w in _NAME_SEPARATORS.split(stem.lower()) if w][:MAX_NAME_WORDS]
    # Numbers keep their hyphens ("RE-2026-001"), but a hyphen may also join a prefix to one ("Rechnung-RE-7"):
    # both the word and its hyphen-separated parts are tried.
    pieces: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            pieces.add(" ".join(words[start:end]))
            pieces.add("_".join(words[start:end]))
    for word in words:
        parts = word.split("-")
        for start in range(len(parts)):
            for end in range(start + 1, len(parts) + 1):
                pieces.add("-".join(parts[start:end]))
    pieces.discard("")
    return sorted(pieces)


def match_invoice(session: Session, *, account_id: int, file_name: str) -> Invoice | str | None:
    """The invoice whose number is in the file name (the longest number found wins), None when none
    is, or the reason when two invoices' numbers are equally good matches."""
    candidates = _name_candidates(file_name)
    if not candidates:
        return None
    found = session.scalars(
        scoped(Invoice, account_id).where(func.lower(Invoice.number).in_(candidates)).order_by(Invoice.id)
    ).all()
    if not found:
        return None
    longest = max(len(invoice.number) for invoice in found)
    best = [invoice for invoice in found if len(invoice.number) == longest]
    if len(best) > 1:
        return "The name matches several invoices: " + ", ".join(i.number for i in best)
    return best[0]


@dataclass(frozen=True)
class BulkResult:
    matched: list[tuple[str, Invoice, InvoiceDocument]]
    unmatched: list[tuple[str, str]]  # file name, why


def upload_many(
    session: Session,
    storage: Storage,
    *,
    account_id: int,
    files: Iterable[tuple[str, bytes]],
    settings: Settings,
    clock: Clock,
) -> BulkResult:
    """Each file goes to the invoice whose number its name contains; each file that cannot (no such
    invoice, not a PDF, too large) is reported with the reason, and the others are still stored."""
    matched: list[tuple[str, Invoice, InvoiceDocument]] = []
    unmatched: list[tuple[str, str]] = []
    allowance_left = settings.document_max_account_bytes - account_bytes_used(session, account_id)
    for file_name, data in files:
        label = checks.clean_file_name(file_name, fallback="file")
        found = match_invoice(session, account_id=account_id, file_name=file_name)
        if not isinstance(found, Invoice):
            unmatched.append((label, found or "No invoice number of this account is in the file name"))
            continue
        try:
            checks.check_size(data, limit=settings.document_max_file_bytes, field="file", what="file")
            checks.check_pdf(data, file_name=file_name)
        except (PayloadTooLarge, InvalidInput) as exc:
            unmatched.append((label, _message(exc)))
            continue
        if len(data) > allowance_left:
            unmatched.append(
                (label, f"Over the account's allowance of {checks.megabytes(settings.document_max_account_bytes)}")
            )
            continue
        allowance_left -= len(data)
        document = _store(
            session, storage, invoice=found, data=data, file_name=file_name, source="upload", now=clock.now()
        )
        matched.append((label, found, document))
    return BulkResult(matched, unmatched)


def _message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    return errors[0].message if errors else str(getattr(exc, "detail", exc))


def list_for_invoice(session: Session, *, account_id: int, invoice_id: int) -> list[InvoiceDocument]:
    get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    return list(
        session.scalars(
            scoped(InvoiceDocument, account_id)
            .where(InvoiceDocument.invoice_id == invoice_id)
            .order_by(InvoiceDocument.created_at.desc(), InvoiceDocument.id.desc())
        )
    )


def read(session: Session, storage: Storage, *, account_id: int, document_id: int) -> tuple[InvoiceDocument, bytes]:
    document = get_owned(session, InvoiceDocument, document_id, account_id, what="Document")
    return document, storage.get(key_of_account(document.storage_key, account_id))


def delete(session: Session, storage: Storage, *, account_id: int, document_id: int) -> InvoiceDocument:
    """The row goes now; the file once the transaction commits, so a rollback keeps both."""
    document = get_owned(session, InvoiceDocument, document_id, account_id, what="Document")
    key = key_of_account(document.storage_key, account_id)
    session.delete(document)
    session.flush()
    after_commit(session, lambda: storage.delete(key))
    return document


def after_commit(session: Session, action) -> None:
    """Run `action` once the session's transaction commits (never if it rolls back)."""
    event.listen(session, "after_commit", lambda _session: action(), once=True)


# -- the account's logo --------------------------------------------------------------------------


def set_logo(session: Session, storage: Storage, *, account: Account, data: bytes, settings: Settings) -> Account:
    checks.check_size(data, limit=settings.logo_max_bytes, field="file", what="logo")
    content_type = checks.check_logo(data)
    old = account.logo_key
    key = new_key(account.id, "logo", "png" if content_type == "image/png" else "jpg")
    storage.put(key, data, content_type=content_type)
    account.logo_key = key
    session.flush()
    if old:
        after_commit(session, lambda: storage.delete(key_of_account(old, account.id)))
    return account


def remove_logo(session: Session, storage: Storage, *, account: Account) -> Account:
    old = account.logo_key
    account.logo_key = None
    session.flush()
    if old:
        after_commit(session, lambda: storage.delete(key_of_account(old, account.id)))
    return account


def logo_of(storage: Storage, account: Account) -> bytes | None:
    return storage.get(key_of_account(account.logo_key, account.id)) if account.logo_key else None


# -- the PDF a client receives --------------------------------------------------------------------


def _issuer(storage: Storage, account: Account, *, with_logo: bool = True) -> Issuer:
    logo = logo_of(storage, account) if with_logo else None
    return Issuer(name=account.name, address=account.address, tax_id=account.tax_id, logo=logo)


def _client_lines(client: Client) -> list[str]:
    lines = [client.company] if client.company else []
    if client.name and client.name != client.company:
        lines.append(client.name)
    return lines


def default_payment(account: Account) -> PaymentInstructions:
    return PaymentInstructions(lines=tuple((account.payment_instructions or "").splitlines()))


def payment_for(session: Session, *, account: Account, client: Client, invoice: Invoice) -> PaymentInstructions:
    """The account's own instructions, then the bank transfer for this invoice in words and, for a SEPA
    transfer, its EPC QR code: the same details and code as the email and the pay page."""
    own = default_payment(account)
    transfer = transfer_for_invoice(session, invoice)
    if transfer is None:
        return own
    locale = locale_for(account, client)
    lines = (*own.lines, *transfer.lines(locale))
    if transfer.swiss is not None:  # its QR code is on the payment part, not beside the lines
        return PaymentInstructions(lines=lines, qr_bill_svg=transfer.swiss.slip_svg(locale))
    return PaymentInstructions(lines=lines, qr_png=_qr(transfer))


def _qr(transfer: TransferDetails) -> bytes | None:
    return transfer.qr_png(scale=8) if transfer.qr_payload is not None else None


def statement_payments(
    session: Session, *, account: Account, locale: str, on: date, owed: Iterable[tuple[str, str, int]]
) -> list[PaymentInstructions]:
    """A bank-transfer block per currency owed (`owed`: invoice number, currency, balance): its total,
    a reference naming the invoices, and the EPC QR code for a EUR total into a SEPA IBAN."""
    transfers = statement_transfers(
        lambda currency: bank_account_for(session, account_id=account.id, currency=currency), owed, on=on
    )
    title = transfer_wording.labels(locale)["pay_by_transfer"]
    return [
        PaymentInstructions(lines=t.lines(locale), qr_png=_qr(t), title=f"{title} ({t.currency})") for t in transfers
    ]


def locale_for(account: Account, client: Client) -> str:
    return resolve_locale(client.locale, account.locale)[1]


def generated_invoice_pdf(
    storage: Storage,
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    clock: Clock,
    payment: PaymentInstructions | None = None,
) -> bytes:
    """The invoice drawn from its data in the client's language; `payment` replaces the account's own
    payment instructions (the bank-transfer domain passes its lines and EPC QR code). A copy drawn
    earlier from the same content is reused (cache.py)."""
    sheet = InvoiceSheet(
        issuer=_issuer(storage, account, with_logo=False),
        client_lines=_client_lines(client),
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        amount_minor=invoice.amount_minor,
        fees_minor=invoice.fees_minor or 0,
        paid_minor=invoice.amount_paid_minor or 0,
        description=invoice.description,
        payment=payment if payment is not None else default_payment(account),
    )
    locale = locale_for(account, client)
    key = cache.content_key(sheet, locale=locale, status=str(invoice.status), logo_key=account.logo_key)

    def draw() -> bytes:
        drawn = replace(sheet, issuer=replace(sheet.issuer, logo=logo_of(storage, account)))
        return draw_invoice(drawn, locale=locale, created=clock.now())

    return cache.cached_pdf(storage, account_id=account.id, invoice_id=invoice.id, key=key, draw=draw)


def invoice_pdf(
    session: Session,
    storage: Storage,
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    clock: Clock,
    payment: PaymentInstructions | None = None,
) -> InvoicePdf:
    """The newest uploaded (or synced) PDF of the invoice, else one generated now."""
    document = session.scalars(
        scoped(InvoiceDocument, account.id)
        .where(InvoiceDocument.invoice_id == invoice.id)
        .order_by(InvoiceDocument.created_at.desc(), InvoiceDocument.id.desc())
        .limit(1)
    ).first()
    if document is not None:
        data = storage.get(key_of_account(document.storage_key, account.id))
        return InvoicePdf(document.file_name, data, document.source)
    if payment is None:
        payment = payment_for(session, account=account, client=client, invoice=invoice)
    data = generated_invoice_pdf(storage, account=account, client=client, invoice=invoice, clock=clock, payment=payment)
    return InvoicePdf(checks.clean_file_name(invoice.number, fallback="invoice"), data, "generated")


def statement_pdf(
    session: Session,
    storage: Storage,
    *,
    account: Account,
    client: Client,
    clock: Clock,
    payment: PaymentInstructions | None = None,
) -> InvoicePdf:
    """Every open invoice of the client with its age and balance, and the total per currency."""
    invoices = session.scalars(
        scoped(Invoice, account.id)
        .where(Invoice.client_id == client.id, Invoice.status.in_(UNSETTLED))
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    today = today_in(clock, client.timezone or account.timezone)
    lines = [
        StatementLine(i.number, i.issue_date, i.due_date, i.currency, i.balance_minor)
        for i in invoices
        if i.balance_minor > 0
    ]
    locale = locale_for(account, client)
    sheet = StatementSheet(
        issuer=_issuer(storage, account),
        client_lines=_client_lines(client),
        on=today,
        lines=lines,
        payment=payment if payment is not None else default_payment(account),
        transfers=statement_payments(
            session,
            account=account,
            locale=locale,
            on=today,
            owed=[(line.number, line.currency, line.balance_minor) for line in lines],
        ),
    )
    data = draw_statement(sheet, locale=locale, created=clock.now())
    return InvoicePdf(checks.clean_file_name(f"statement-{today.isoformat()}", fallback="statement"), data, "generated")


def stored_files(session: Session, storage: Storage, *, account_id: int) -> Iterator[tuple[str, bytes]]:
    """Every stored file of the account for its data export: "invoices/<id>-<name>.pdf" and the logo."""
    documents = session.scalars(scoped(InvoiceDocument, account_id).order_by(InvoiceDocument.id)).all()
    for document in documents:
        yield (
            f"invoices/{document.id}-{document.file_name}",
            storage.get(key_of_account(document.storage_key, account_id)),
        )
    account = session.get(Account, account_id)
    if account is not None and account.logo_key:
        yield "logo." + account.logo_key.rsplit(".", 1)[-1], logo_of(storage, account) or b""


def delete_account_files(session: Session, storage: Storage, account_ids: Sequence[int]) -> None:
    """Once the erasure commits, every stored file of these accounts (documents and logo) goes too."""
    for account_id in account_ids:
        prefix = account_prefix(account_id)
        after_commit(session, lambda prefix=prefix: storage.delete_prefix(prefix))
