"""The PDF that goes with a reminder: attached when the provider takes a message that large, else a
signed link to it, and in both cases one line in the email that says which.

Providers cap a whole message, attachments base64-encoded: Postmark at 10 MB, Amazon SES at 40 MB;
an SMTP server announces its own (DUESPARK_SMTP_MAX_MESSAGE_BYTES). A PDF is attached only when its
encoded size plus room for the email around it fits under the provider's cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.documents import links
from duespark.documents.pdf import PaymentInstructions
from duespark.documents.service import PDF, InvoicePdf, invoice_pdf, locale_for, statement_pdf
from duespark.documents.storage import Storage
from duespark.documents.wording import EMAIL
from duespark.email.message import Attachment
from duespark.email.templates import Button, Note
from duespark.models import Account, Client, Invoice, ReminderPolicy, ReminderPolicyStep
from duespark.reminders.policy import attaches_pdf_by_default
from duespark.settings import Settings

MB = 1024 * 1024
PROVIDER_MESSAGE_LIMITS = {"postmark": 10 * MB, "ses": 40 * MB}
# The text, HTML and headers around the attachment: a reminder is a few tens of kilobytes.
BODY_ALLOWANCE = 256 * 1024


def message_limit(settings: Settings, provider_name: str) -> int:
    return PROVIDER_MESSAGE_LIMITS.get(provider_name, settings.smtp_max_message_bytes)


def encoded_size(size: int) -> int:
    """Bytes of `size` bytes in base64 as a MIME part: 4 per 3, in lines of 76 plus CRLF."""
    encoded = (size + 2) // 3 * 4
    return encoded + (encoded + 75) // 76 * 2


def fits(size: int, limit: int) -> bool:
    return encoded_size(size) + BODY_ALLOWANCE <= limit


@dataclass(frozen=True)
class EmailDocument:
    note: Note
    attachments: tuple[Attachment, ...]


def step_attaches(session: Session, *, account_id: int, client_id: int, offset_days: int) -> bool:
    """The step's own switch: the client's policy first, else the account's; a step no longer in
    either (the policy changed after planning) follows the default."""
    rows = session.execute(
        select(ReminderPolicy.client_id, ReminderPolicyStep.attach_pdf)
        .join(ReminderPolicyStep, ReminderPolicyStep.policy_id == ReminderPolicy.id)
        .where(
            ReminderPolicy.account_id == account_id,
            or_(ReminderPolicy.client_id == client_id, ReminderPolicy.client_id.is_(None)),
            ReminderPolicyStep.offset_days == offset_days,
        )
    ).all()
    own = [attach for owner, attach in rows if owner is not None]
    default = [attach for owner, attach in rows if owner is None]
    for found in (own, default):
        if found:
            return bool(found[0])
    return attaches_pdf_by_default(offset_days)


def _words(account: Account, client: Client) -> tuple[dict[str, str], str]:
    locale = locale_for(account, client)
    return EMAIL.get(locale.split("_")[0], EMAIL["en"]), locale


def for_invoice(
    session: Session,
    storage: Storage,
    *,
    settings: Settings,
    clock: Clock,
    account: Account,
    client: Client,
    invoice: Invoice,
    provider_name: str,
    payment: PaymentInstructions | None = None,
) -> EmailDocument:
    """The invoice's PDF as an attachment, or, above the provider's limit, a signed link to it."""
    pdf = invoice_pdf(session, storage, account=account, client=client, invoice=invoice, clock=clock, payment=payment)
    words, locale = _words(account, client)
    if fits(len(pdf.data), message_limit(settings, provider_name)):
        note = Note(words["attached"].format(number=invoice.number, file=pdf.file_name))
        return EmailDocument(note, (Attachment(pdf.file_name, PDF, pdf.data),))
    size = format_decimal(round(len(pdf.data) / MB, 1), locale=locale) + " MB"
    link = Button(links.pdf_url(settings, invoice.id, now=clock.now()), words["download"])
    return EmailDocument(Note(words["linked"].format(number=invoice.number, size=size), link), ())


def for_statement(
    session: Session,
    storage: Storage,
    *,
    clock: Clock,
    account: Account,
    client: Client,
    payment: PaymentInstructions | None = None,
) -> EmailDocument:
    """A generated statement of every open invoice: a few kilobytes a page, always attached."""
    pdf: InvoicePdf = statement_pdf(session, storage, account=account, client=client, clock=clock, payment=payment)
    words, _ = _words(account, client)
    note = Note(words["statement_attached"].format(file=pdf.file_name))
    return EmailDocument(note, (Attachment(pdf.file_name, PDF, pdf.data),))
