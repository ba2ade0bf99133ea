"""Server-rendered public pages (pay link, thank-you, client portal, receipt) in the client's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined

from duespark.models import Account, Client, Invoice, Payment
from duespark.money import format_for_people
from duespark.payments import links
from duespark.payments.i18n import resolve_locale, strings_for
from duespark.payments.service import PortalView
from duespark.settings import Settings

_env = Environment(
    loader=PackageLoader("duespark.payments", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Words:
    """Formats for one page: words, money and dates in the reader's locale."""

    language: str
    locale: str
    timezone: str

    @classmethod
    def for_reader(cls, account: Account | None, client: Client | None = None) -> Words:
        language, locale = resolve_locale(client.locale if client else None, account.locale if account else None)
        timezone = (client.timezone if client else None) or (account.timezone if account else None) or "UTC"
        return cls(language=language, locale=locale, timezone=timezone)

    def t(self, key: str, **values: object) -> str:
        return strings_for(self.language)[key].format(**values)

    def money(self, minor: int, currency: str) -> str:
        return format_for_people(minor, currency, self.locale)

    def day(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(self.timezone)).date()
        return format_date(value, format="long", locale=self.locale)


def _render(template: str, words: Words, *, title: str, brand: str, **context: object) -> str:
    return _env.get_template(template).render(
        lang=words.language, title=title, brand=brand, t=strings_for(words.language), **context
    )


def _mailto(address: str, *, subject: str, body: str) -> str:
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def pay_page(
    settings: Settings,
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    today: date,
    notice: str | None,
    card_available: bool,
    contact_email: str | None = None,
) -> str:
    """The built-in pay page. It always offers a way to pay (invariant 14): the card button, the
    account's instructions, and an email to the sender, which is the main action when there is no other."""
    words = Words.for_reader(account, client)
    token = links.invoice_pay_token(settings, invoice.id)
    amount = words.money(invoice.balance_minor, invoice.currency)
    instructions = (account.payment_instructions or "").strip() or None
    mailto = None
    if contact_email:
        mailto = _mailto(
            contact_email,
            subject=words.t("email_subject", number=invoice.number),
            body=words.t("email_body", number=invoice.number, amount=amount),
        )
    if notice and not instructions and mailto:
        notice = f"{notice}_contact"  # "pay with the details below" would point at nothing
    return _render(
        "pay.html",
        words,
        title=words.t("pay_title", number=invoice.number),
        brand=account.name,
        invoice_number=invoice.number,
        amount_due=amount,
        total=words.money(invoice.amount_minor, invoice.currency),
        fees=words.money(invoice.fees_minor, invoice.currency) if invoice.fees_minor else None,
        paid=words.money(invoice.amount_paid_minor, invoice.currency) if invoice.amount_paid_minor else None,
        issued=words.day(invoice.issue_date),
        due=words.day(invoice.due_date),
        overdue=invoice.due_date < today,
        description=invoice.description,
        notice=words.t(notice, name=account.name) if notice else None,
        checkout_url=f"/pay/{token}/checkout" if card_available else None,
        pay_label=words.t("pay_by_card", amount=amount),
        instructions=instructions,
        reference_hint=words.t("reference_hint", number=invoice.number),
        no_instructions=words.t("no_instructions_contact" if mailto else "no_instructions", name=account.name),
        mailto=mailto,
        contact_email=contact_email,
        email_label=words.t("email_sender", name=account.name),
        # Nothing else to press: the email is the way to pay, so it is the page's main button.
        email_is_primary=mailto is not None and not instructions and not card_available,
        portal_url=links.client_portal_url(settings, client.id),
    )


def message_page(
    kind: str, *, account: Account | None = None, client: Client | None = None, invoice: Invoice | None = None
) -> str:
    """A one-message page: already_paid, not_payable, not_found, thanks_paid, thanks_processing."""
    words = Words.for_reader(account, client)
    number = invoice.number if invoice else ""
    name = account.name if account else ""
    titles = {
        "already_paid": "already_paid_title",
        "not_payable": "not_payable_title",
        "not_found": "not_found_title",
        "thanks_paid": "thanks_title",
        "thanks_processing": "thanks_title",
    }
    paid_on = words.day(invoice.paid_at) if invoice and invoice.paid_at else ""
    return _render(
        "message.html",
        words,
        title=words.t(titles[kind]),
        brand=name or "DueSpark",
        kind=kind,
        message=words.t(kind, number=number, name=name, date=paid_on),
    )


def _method_label(words: Words, method: str) -> str:
    key = f"method_{method}"
    return words.t(key) if key in strings_for(words.language) else method


def portal_page(settings: Settings, *, view: PortalView, token: str, today: date) -> str:
    words = Words.for_reader(view.account, view.client)
    invoices = [
        {
            "number": invoice.number,
            "due": words.day(invoice.due_date),
            "overdue": invoice.due_date < today,
            "balance": words.money(invoice.balance_minor, invoice.currency),
            "pay_url": f"/pay/{links.invoice_pay_token(settings, invoice.id)}",
        }
        for invoice in view.open_invoices
    ]
    payments = [
        {
            "date": words.day(payment.paid_at),
            "invoice_number": number,
            "amount": words.money(payment.amount_minor, payment.currency),
            "refund": payment.amount_minor < 0,
            "method": _method_label(words, payment.method),
            "receipt_url": f"/c/{token}/receipts/{payment.id}",
        }
        for payment, number in view.payments
    ]
    return _render(
        "portal.html",
        words,
        title=words.t("portal_title", name=view.account.name),
        brand=view.account.name,
        client_name=view.client.name,
        invoices=invoices,
        payments=payments,
        instructions=view.account.payment_instructions,
    )


def receipt_page(*, view: PortalView, payment: Payment, invoice_number: str, token: str) -> str:
    words = Words.for_reader(view.account, view.client)
    number = f"R-{payment.id:06d}"
    return _render(
        "receipt.html",
        words,
        title=words.t("receipt_title", number=number),
        brand=view.account.name,
        receipt_number=number,
        refund=payment.amount_minor < 0,
        date=words.day(payment.paid_at),
        amount=words.money(abs(payment.amount_minor), payment.currency),
        method=_method_label(words, payment.method),
        invoice_number=invoice_number,
        client_name=view.client.company or view.client.name,
        account_name=view.account.name,
        portal_url=f"/c/{token}",
    )
