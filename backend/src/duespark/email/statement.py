"""The statement: one email listing a client's overdue invoices (reminders merged), built with compose's parts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from sqlalchemy.orm import Session

from duespark.banktransfer.service import bank_account_for, statement_transfers
from duespark.clock import Clock, today_in
from duespark.email import links, wording
from duespark.email.compose import (
    TemplateCache,
    _language,
    _resolver,
    _strings,
    client_headers,
    formatting_locale,
    from_address,
    invoice_variables,
    sender_name,
    wording_variant,
)
from duespark.email.message import Attachment, OutgoingEmail
from duespark.email.reply_address import reply_address
from duespark.email.templates import Button, Layout, Note, locale_candidates, render_html, render_parts, spec_for
from duespark.email.transfer import transfer_parts
from duespark.invoices.adjustments import LateFee
from duespark.models import Account, BankAccount, Client, Invoice
from duespark.money import format_for_people
from duespark.settings import Settings

# A statement stands for several reminder steps; it reads like the strongest of them.
STATEMENT_BY_STEP = {"firm": "statement", "urgent": "statement_urgent", "final": "statement_final"}
_STEP_STRENGTH = {"friendly": 0, "due_today": 0, "firm": 1, "urgent": 2, "final": 3}


def statement_key(steps: Iterable[str]) -> str:
    """The statement template for these steps: "statement" (firm), "statement_urgent" or "statement_final"."""
    strongest = max(steps, key=lambda step: _STEP_STRENGTH.get(step, 1), default="firm")
    return STATEMENT_BY_STEP.get(strongest, "statement")


def _bank_lookup(
    session: Session | None, templates: TemplateCache | None, account_id: int
) -> Callable[[str], BankAccount | None]:
    """The account's bank account in a currency: from the batch's cache, else one query."""
    if templates is not None:
        return lambda currency: templates.bank_account(account_id, currency)
    if session is not None:
        return lambda currency: bank_account_for(session, account_id=account_id, currency=currency)
    return lambda currency: None


def compose_statement(
    *,
    account: Account,
    client: Client,
    invoices: list[tuple[Invoice, int]],
    settings: Settings,
    clock: Clock,
    session: Session | None = None,
    late_fees: Mapping[int, LateFee] | None = None,
    templates: TemplateCache | None = None,
    steps: Iterable[str] = (),
    note: Note | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> OutgoingEmail:
    """One email listing several overdue invoices of a client, each with its own payment link, and
    one primary button to the client's page where all of them can be paid.

    `invoices` pairs each invoice with the reminder it stands for, so a click is credited to it;
    `late_fees` (by invoice id) are the fees sending it adds, each shown on its invoice's line;
    `steps` are the template keys of the reminders it stands for: the strongest sets its tone.
    """
    fees = late_fees or {}
    key = statement_key(steps)
    spec = spec_for(key)
    candidates = locale_candidates(client.locale, account.locale)
    resolved = _resolver(session, templates)(
        account_id=account.id, key=key, locales=candidates, variant=wording_variant(account, client)
    )
    locale = formatting_locale(resolved.locale, candidates)
    rows = [
        invoice_variables(
            account=account,
            client=client,
            invoice=invoice,
            reminder_id=reminder_id,
            settings=settings,
            clock=clock,
            locale=locale,
            late_fee=fees.get(invoice.id),
        )
        for invoice, reminder_id in invoices
    ]
    owed = []
    totals: dict[str, int] = {}
    for invoice, _ in invoices:
        fee = fees.get(invoice.id)
        due = invoice.balance_minor + (fee.amount_minor if fee else 0)
        owed.append((invoice.number, invoice.currency, due))
        totals[invoice.currency] = totals.get(invoice.currency, 0) + due
    first = rows[0]
    variables = {
        "client_name": first["client_name"],
        "client_company": first["client_company"],
        "invoice_count": len(rows),
        "total_due": " + ".join(format_for_people(minor, c, locale) for c, minor in sorted(totals.items())),
        "invoices": [
            {
                "number": row["invoice_number"],
                "amount_due": row["amount_due"],
                "due_date": row["due_date"],
                "days_overdue": row["days_overdue"],
                "payment_link": row["payment_link"],
                "late_fee": row["late_fee"],
                "late_fee_reason": row["late_fee_reason"],
            }
            for row in rows
        ],
        "payment_instructions": first["payment_instructions"],
        "sender_name": first["sender_name"],
        "sender_company": first["sender_company"],
        "unsubscribe_link": first["unsubscribe_link"],
        "pay_by": first["pay_by"],
        "pay_all_link": links.pay_all_url(settings, client),
    }
    parts = render_parts(spec, resolved.source, variables)
    words = _strings(resolved.locale)
    sender = sender_name(account)
    unsubscribe = variables["unsubscribe_link"]
    why = wording.why_line(resolved.locale, sender=sender, numbers=[invoice.number for invoice, _ in invoices])
    pay_all = Button(variables["pay_all_link"], words["pay_all"].format(count=len(rows)))
    text = parts.text
    if pay_all.url not in text:
        text += f"\n{pay_all.label}{words['colon']} {pay_all.url}\n"
    from_email = from_address(settings, account)
    # One transfer per currency owed, for that currency's total, as the per-invoice reminder has for one.
    transfers = statement_transfers(
        _bank_lookup(session, templates, account.id),
        owed,
        on=today_in(clock, client.timezone or account.timezone),
    )
    banks = [transfer_parts(t, locale=locale, sender_domain=from_email.rsplit("@", 1)[-1]) for t in transfers]
    for bank in banks:
        text += f"\n{bank.text}"
    if note is not None:
        text += f"\n{note.as_text()}\n"
    text += f"\n--\n{why}\n{words['unsubscribe']}{words['colon']} {unsubscribe}\n"
    html = render_html(
        parts,
        Layout(
            language=_language(resolved.locale),
            subject=parts.subject,
            preheader=wording.preheader(parts.text),
            button=pay_all,
            note=note,
            footer_lines=(why,),
            footer_link=Button(unsubscribe, words["unsubscribe"]),
            transfers=tuple(bank.block for bank in banks),
        ),
    )
    return OutgoingEmail(
        to=client.email or "",
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
            kind="s",
            object_id=invoices[0][1],
        ),
        headers=client_headers(settings, account, client, from_email=from_email),
        tag="statement",
        metadata={
            "account_id": str(account.id),
            "invoice_id": str(invoices[0][0].id),
            # Providers cap metadata (Postmark: 80 characters a value), so the lead reminder only.
            "reminder_id": str(invoices[0][1]),
        },
        inline_images=tuple(bank.image for bank in banks if bank.image is not None),
        attachments=attachments,
    )
