"""Turns an invoice (or an account event) into the email that is sent: template, variables, layout, headers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.banktransfer.service import TransferDetails, bank_accounts_of, transfer_for_invoice, transfer_from
from duespark.clock import Clock, today_in
from duespark.email import links, wording
from duespark.email.message import Attachment, OutgoingEmail
from duespark.email.mime import message_id_for
from duespark.email.reply_address import reply_address
from duespark.email.templates import (
    PROFESSIONAL,
    Button,
    Layout,
    Note,
    TemplateSource,
    default_template,
    locale_candidates,
    render_html,
    render_parts,
    spec_for,
)
from duespark.email.transfer import transfer_parts
from duespark.invoices.adjustments import LateFee, format_rate
from duespark.models import Account, BankAccount, Client, EmailTemplate, Invoice, User
from duespark.models.enums import ClientType, InvoiceStatus
from duespark.money import currency_exponent, format_for_people
from duespark.settings import Settings

PAY_BY_DAYS = 7
FALLBACK_FROM = "reminders@duespark.local"


@dataclass(frozen=True)
class ResolvedTemplate:
    source: TemplateSource
    locale: str
    is_default: bool


def resolve_template(
    session: Session | None, *, account_id: int | None, key: str, locales: list[str], variant: str | None = None
) -> ResolvedTemplate:
    """The best template for these locales: per locale, the account's own text before the default one
    (in the wording `variant`, such as "professional", where the default has it)."""
    overrides: dict[str, TemplateSource] = {}
    if session is not None and account_id is not None:
        rows = session.scalars(
            select(EmailTemplate).where(
                EmailTemplate.account_id == account_id, EmailTemplate.key == key, EmailTemplate.locale.in_(locales)
            )
        )
        overrides = {row.locale: TemplateSource(row.subject, row.body) for row in rows}
    return _pick_template(overrides, key=key, locales=locales, variant=variant)


def _pick_template(
    overrides: Mapping[str, TemplateSource], *, key: str, locales: list[str], variant: str | None
) -> ResolvedTemplate:
    for locale in locales:
        if locale in overrides:
            return ResolvedTemplate(overrides[locale], locale, is_default=False)
        default = default_template(locale, key, variant)
        if default is not None:
            return ResolvedTemplate(default, locale, is_default=True)
    raise LookupError(f"no template {key!r} in {locales}")


class TemplateCache:
    """`resolve_template` for a batch of emails (the dispatcher's): the accounts' own templates and
    bank accounts are read in one query each up front, instead of queries per email."""

    def __init__(self, session: Session, account_ids: set[int]) -> None:
        self._overrides: dict[tuple[int, str], dict[str, TemplateSource]] = {}
        self._bank_accounts = bank_accounts_of(session, account_ids)
        if not account_ids:
            return
        rows = session.execute(
            select(
                EmailTemplate.account_id,
                EmailTemplate.key,
                EmailTemplate.locale,
                EmailTemplate.subject,
                EmailTemplate.body,
            ).where(EmailTemplate.account_id.in_(account_ids))
        )
        for account_id, key, locale, subject, body in rows:
            self._overrides.setdefault((account_id, key), {})[locale] = TemplateSource(subject, body)

    def resolve(self, *, account_id: int, key: str, locales: list[str], variant: str | None = None) -> ResolvedTemplate:
        return _pick_template(self._overrides.get((account_id, key), {}), key=key, locales=locales, variant=variant)

    def bank_account(self, account_id: int, currency: str) -> BankAccount | None:
        return self._bank_accounts.get((account_id, currency))

    def transfer(self, invoice: Invoice, *, amount_minor: int) -> TransferDetails | None:
        bank = self.bank_account(invoice.account_id, invoice.currency)
        return transfer_from(bank, invoice, amount_minor=amount_minor) if bank is not None else None


def _transfer(
    session: Session | None, templates: TemplateCache | None, invoice: Invoice, *, amount_minor: int
) -> TransferDetails | None:
    """How to pay `invoice` by transfer (with what this email asks for), if its account has a bank account."""
    if templates is not None:
        return templates.transfer(invoice, amount_minor=amount_minor)
    if session is not None:
        return transfer_for_invoice(session, invoice, amount_minor=amount_minor)
    return None


def _resolver(session: Session | None, templates: TemplateCache | None) -> Callable[..., ResolvedTemplate]:
    return templates.resolve if templates is not None else partial(resolve_template, session)


def babel_locale(locale: str) -> str:
    try:
        return str(Locale.parse(locale))
    except (UnknownLocaleError, ValueError):
        return "en"


def formatting_locale(template_locale: str, candidates: list[str]) -> str:
    """Numbers and dates follow the most specific wanted locale in the template's language
    (de_AT for an Austrian client reading German), never a language the text is not in."""
    language = template_locale.split("_")[0]
    return babel_locale(next((c for c in candidates if c.split("_")[0] == language), template_locale))


_language = wording.language
_strings = wording.strings


def sender_name(account: Account) -> str:
    return account.sender_name or account.name


def from_address(settings: Settings, account: Account) -> str:
    return settings.email_from or account.sender_email or FALLBACK_FROM


def new_message_id(from_email: str) -> str:
    """A random Message-ID on the sender's own domain, as receiving servers expect (no row id in it)."""
    return message_id_for(from_email)


# RFC 3834: sent by a program, not a person, so vacation responders and auto-replies stay quiet;
# X-Auto-Response-Suppress asks the same of Exchange and Outlook.
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def client_headers(settings: Settings, account: Account, client: Client, *, from_email: str) -> dict[str, str]:
    """The headers of every email to a client: Message-ID, the RFC 2369/8058 one-click unsubscribe
    (a plain list of bracketed URLs, see mime.py), and the automatic-message markers."""
    unsubscribe = links.unsubscribe_url(settings, client)
    return {
        "Message-ID": new_message_id(from_email),
        "List-Unsubscribe": f"<{unsubscribe}>, <{links.unsubscribe_mailto(settings, account, client)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        **AUTOMATIC_HEADERS,
    }


def late_fee_variables(late_fee: LateFee | None, *, total_minor: int, locale: str) -> dict[str, str]:
    """`late_fee`, `late_fee_reason` and the whole sentence `late_fee_notice`, in the client's
    language; empty strings when the email adds no fee, so templates can test them."""
    if late_fee is None:
        return {"late_fee": "", "late_fee_reason": "", "late_fee_notice": ""}
    words = _strings(locale)

    def money(minor: int) -> str:
        return format_for_people(minor, late_fee.currency, locale)

    if late_fee.kind == "percent" and late_fee.rate_bp is not None:
        reason = words["fee_percent"].format(
            rate=format_rate(late_fee.rate_bp, locale), base=money(late_fee.base_minor)
        )
    elif late_fee.kind == "daily_interest" and late_fee.rate_bp is not None:
        reason = words["fee_interest"].format(
            rate=format_rate(late_fee.rate_bp, locale),
            base=money(late_fee.base_minor),
            days=late_fee.days,
            day_word=words["day" if late_fee.days == 1 else "days"],
        )
    else:
        reason = words["fee_fixed"]
    fee = money(late_fee.amount_minor)
    return {
        "late_fee": fee,
        "late_fee_reason": reason,
        "late_fee_notice": words["fee_notice"].format(fee=fee, reason=reason, total=money(total_minor)),
    }


def invoice_variables(
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    reminder_id: int | None,
    settings: Settings,
    clock: Clock,
    locale: str,
    late_fee: LateFee | None = None,
) -> dict[str, Any]:
    """The template variables; with `late_fee`, what is due includes the fee this email adds."""
    today = today_in(clock, client.timezone or account.timezone)
    # Parsed once for the six amounts and dates below (Babel parses a locale name on every call).
    babel = Locale.parse(locale)

    def long_date(value: date) -> str:
        return format_date(value, format="long", locale=babel)

    def money(minor: int) -> str:
        return format_for_people(minor, invoice.currency, babel)

    due = invoice.balance_minor + (late_fee.amount_minor if late_fee else 0)
    return {
        "client_name": client.name,
        "client_company": client.company or "",
        "invoice_number": invoice.number,
        "invoice_total": money(invoice.amount_minor),
        "amount_due": money(due),
        "amount_paid": money(invoice.amount_paid_minor),
        "currency": invoice.currency,
        "issue_date": long_date(invoice.issue_date),
        "due_date": long_date(invoice.due_date),
        "days_until_due": max(0, (invoice.due_date - today).days),
        "days_overdue": max(0, (today - invoice.due_date).days),
        "pay_by": long_date(today + timedelta(days=PAY_BY_DAYS)),
        "payment_link": links.payment_url(settings, invoice, reminder_id),
        "payment_instructions": account.payment_instructions or "",
        "sender_name": sender_name(account),
        "sender_company": account.name,
        "unsubscribe_link": links.unsubscribe_url(settings, client),
        **late_fee_variables(late_fee, total_minor=due, locale=locale),
    }


def with_late_fee_notice(source: TemplateSource) -> TemplateSource:
    """A template that says nothing of late fees (an account's own text from before them) still
    tells the client: the notice goes at the end."""
    if "late_fee" in source.body:
        return source
    return TemplateSource(source.subject, source.body.rstrip("\n") + "\n\n{{ late_fee_notice }}\n")


@dataclass(frozen=True)
class ComposedEmail:
    """The email plus what the preview and the message record show about how it was made."""

    email: OutgoingEmail
    locale: str
    is_default_template: bool


def adaptive_for(account: Account, client: Client) -> bool:
    """The client's own adaptive switch, else the account's."""
    return account.adaptive_reminders if client.adaptive_reminders is None else client.adaptive_reminders


def wording_variant(account: Account, client: Client) -> str | None:
    """With adaptive reminders, enterprise clients read the professional wording of the default templates."""
    if client.client_type == ClientType.enterprise and adaptive_for(account, client) is not False:
        return PROFESSIONAL
    return None


def compose_invoice_email(
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    template_key: str,
    reminder_id: int | None,
    settings: Settings,
    clock: Clock,
    session: Session | None = None,
    draft: TemplateSource | None = None,
    to: str | None = None,
    late_fee: LateFee | None = None,
    templates: TemplateCache | None = None,
    extra_dates: Mapping[str, date] | None = None,
    note: Note | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> ComposedEmail:
    """`extra_dates` are dates a kind of email adds to the invoice's variables (promise_missed: promised_date),
    written out like the invoice's own dates."""
    spec = spec_for(template_key)
    candidates = locale_candidates(client.locale, account.locale)
    if draft is not None:
        resolved = ResolvedTemplate(draft, candidates[0], is_default=False)
    else:
        resolved = _resolver(session, templates)(
            account_id=account.id,
            key=template_key,
            locales=candidates,
            variant=wording_variant(account, client),
        )
    locale = formatting_locale(resolved.locale, candidates)
    variables = invoice_variables(
        account=account,
        client=client,
        invoice=invoice,
        reminder_id=reminder_id,
        settings=settings,
        clock=clock,
        locale=locale,
        late_fee=late_fee,
    )
    for name, value in (extra_dates or {}).items():
        variables[name] = format_date(value, format="long", locale=locale)
    source = with_late_fee_notice(resolved.source) if late_fee is not None else resolved.source
    parts = render_parts(spec, source, variables)
    words = _strings(resolved.locale)
    sender = sender_name(account)
    unsubscribe = variables["unsubscribe_link"]
    pay_label = words["pay"].format(number=invoice.number)
    text = parts.text
    if spec.payment_button and variables["payment_link"] not in text:
        text += f"\n{pay_label}{words['colon']} {variables['payment_link']}\n"
    from_email = from_address(settings, account)
    due = invoice.balance_minor + (late_fee.amount_minor if late_fee else 0)
    transfer = _transfer(session, templates, invoice, amount_minor=due) if spec.payment_button else None
    bank = transfer_parts(transfer, locale=locale, sender_domain=from_email.rsplit("@", 1)[-1]) if transfer else None
    if bank is not None:
        text += f"\n{bank.text}"
    if note is not None:
        text += f"\n{note.as_text()}\n"
    why = wording.why_line(resolved.locale, sender=sender, numbers=[invoice.number])
    text += f"\n--\n{why}\n{words['unsubscribe']}{words['colon']} {unsubscribe}\n"
    html = render_html(
        parts,
        Layout(
            language=_language(resolved.locale),
            subject=parts.subject,
            preheader=wording.preheader(parts.text),
            button=Button(variables["payment_link"], pay_label) if spec.payment_button else None,
            note=note,
            footer_lines=(why,),
            footer_link=Button(unsubscribe, words["unsubscribe"]),
            transfers=(bank.block,) if bank is not None else (),
        ),
    )
    headers = client_headers(settings, account, client, from_email=from_email)
    metadata = {"invoice_id": str(invoice.id), "account_id": str(account.id)}
    if reminder_id is not None:
        metadata["reminder_id"] = str(reminder_id)
    email = OutgoingEmail(
        to=to if to is not None else (client.email or ""),
        from_email=from_email,
        from_name=sender,
        subject=parts.subject,
        text=text,
        html=html,
        reply_to=reply_address(
            settings,
            account_id=account.id,
            display_name=sender,
            fallback=account.sender_email,
            kind="i",
            object_id=invoice.id,
        ),
        headers=headers,
        tag=template_key,
        metadata=metadata,
        inline_images=(bank.image,) if bank is not None and bank.image is not None else (),
        attachments=attachments,
    )
    return ComposedEmail(email=email, locale=resolved.locale, is_default_template=resolved.is_default)


def compose_reminder(
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    template_key: str,
    reminder_id: int | None,
    settings: Settings,
    clock: Clock,
    session: Session | None = None,
    to: str | None = None,
    late_fee: LateFee | None = None,
    templates: TemplateCache | None = None,
    note: Note | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> OutgoingEmail:
    """The email for one reminder step (`template_key`: friendly, due_today, firm, urgent, final, thank_you).

    With a `session` (or a `templates` cache), the account's own templates are used where it has
    them. `to` overrides the recipient (test mode sends to the account owner). `late_fee` is the
    fee sending it adds; `attachments` (the invoice's PDF) go with it, and `note` says so.
    """
    return compose_invoice_email(
        account=account,
        client=client,
        invoice=invoice,
        template_key=template_key,
        reminder_id=reminder_id,
        settings=settings,
        clock=clock,
        session=session,
        to=to,
        late_fee=late_fee,
        templates=templates,
        note=note,
        attachments=attachments,
    ).email


def compose_account_email(
    *,
    user: User,
    account: Account,
    template_key: str,
    action_link: str,
    valid_hours: int,
    settings: Settings,
) -> OutgoingEmail:
    """Verification and password-reset emails, in the account's language."""
    variables = {"user_name": user.name, "action_link": action_link, "valid_hours": valid_hours}
    return compose_account_notice(
        user=user, account=account, template_key=template_key, variables=variables, settings=settings
    )


def compose_account_notice(
    *,
    user: User,
    account: Account,
    template_key: str,
    variables: Mapping[str, Any],
    settings: Settings,
    button: Button | None = None,
    locale: str | None = None,
) -> OutgoingEmail:
    """An email from DueSpark to a user of the account (not to a client), in `locale` (the user's own
    language, when they chose one) else the account's."""
    spec = spec_for(template_key)
    candidates = locale_candidates(locale, account.locale)
    resolved = resolve_template(None, account_id=None, key=template_key, locales=candidates)
    parts = render_parts(spec, resolved.source, variables)
    words = _strings(resolved.locale)
    html = render_html(
        parts,
        Layout(
            language=_language(resolved.locale),
            subject=parts.subject,
            preheader=wording.preheader(parts.text),
            button=button,
            footer_lines=(words["account"],),
        ),
    )
    from_email = settings.email_from or FALLBACK_FROM
    return OutgoingEmail(
        to=user.email,
        from_email=from_email,
        from_name="DueSpark",
        subject=parts.subject,
        text=parts.text
        if button is None or button.url in parts.text
        else f"{parts.text}\n{button.label}: {button.url}\n",
        html=html,
        headers={"Message-ID": new_message_id(from_email), **AUTOMATIC_HEADERS},
        tag=template_key,
        metadata={"user_id": str(user.id)},
    )


# --- samples for previews and template checks ---------------------------------------------------

SAMPLE_DUE_OFFSETS = {"friendly": 3, "due_today": 0, "firm": -5, "urgent": -14, "final": -30, "thank_you": -2}


def sample_invoice(*, account: Account, template_key: str, clock: Clock) -> tuple[Client, Invoice]:
    """A made-up client and invoice, dated as the template's step would be, never stored."""
    today = today_in(clock, account.timezone)
    due = today + timedelta(days=SAMPLE_DUE_OFFSETS.get(template_key, 7))
    currency = account.default_currency
    amount = 1250 * 10 ** currency_exponent(currency)
    paid = template_key == "thank_you"
    client = Client(
        id=0,
        account_id=account.id,
        name="Jordan Miller",
        company="Globex Ltd",
        email="jordan.miller@example.com",
        locale=None,
        timezone=None,
    )
    invoice = Invoice(
        id=0,
        account_id=account.id,
        client_id=0,
        number="INV-1042",
        amount_minor=amount,
        amount_paid_minor=amount if paid else 0,
        fees_minor=0,
        currency=currency,
        issue_date=due - timedelta(days=14),
        due_date=due,
        status=InvoiceStatus.paid if paid else InvoiceStatus.open,
    )
    return client, invoice
