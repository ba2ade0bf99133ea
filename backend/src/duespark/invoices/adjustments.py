"""Invoice adjustments: late fees and interest added to an invoice, each once, never edited.

A fee is worked out (`compute`, a pure function) when a reminder's email is composed, so the
email can show it, and written (`record`) in the transaction that marks the email sent, with
exactly that amount. The invoice's `fees_minor` moves in the same transaction, so its balance
(amount + fees - paid) is always the sum of what its rows say.

Fees are charged on the unpaid invoice amount (`amount - paid`, payments counted against the
amount first), never on fees: a 5 % fee after a 5 % fee is 5 % of the same amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_percent
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from duespark.models import Invoice, InvoiceAdjustment
from duespark.models.enums import InvoiceStatus
from duespark.money import format_for_people
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders.policy import Fee

DAYS_A_YEAR = 365
BASIS_POINTS = 100_00
UNSETTLED = (InvoiceStatus.open.value, InvoiceStatus.partially_paid.value)


@dataclass(frozen=True)
class LateFee:
    """A fee worked out for one step of one invoice: shown in the email, recorded once it is sent."""

    account_id: int
    invoice_id: int
    step_key: str
    offset_days: int
    kind: str
    amount_minor: int
    currency: str
    # What it was worked out on: the unpaid invoice amount (percent and interest).
    base_minor: int
    # percent: the share; daily_interest: the annual rate. Basis points.
    rate_bp: int | None = None
    # daily_interest: the days after `period_start` up to and including `period_end`.
    days: int | None = None
    period_start: date | None = None
    period_end: date | None = None


def _round_half_up(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def unpaid_amount(invoice: Invoice) -> int:
    """The invoice amount not yet paid, the base of percentages and interest (never the fees)."""
    return max(0, invoice.amount_minor - invoice.amount_paid_minor)


def compute(
    fee: Fee,
    *,
    invoice: Invoice,
    step_key: str,
    offset_days: int,
    send_date: date,
    interest_from: date | None,
    statutory_rate_bp: int,
) -> LateFee | None:
    """The fee a step adds if its email goes out on `send_date` (the client's local date), or None.

    Interest is simple interest, base x rate x days / 365, for the days since the due date or since
    the end of the period the last interest charge covered (`interest_from`), whichever is later:
    however many steps charge interest, together they charge each day once. Amounts are rounded
    half up to the currency's minor unit; a fee that rounds to nothing is no fee.
    """
    base = unpaid_amount(invoice)
    if base <= 0:
        return None
    days = start = None
    rate = fee.rate_bp
    if fee.kind == "fixed":
        if fee.currency != invoice.currency or not fee.amount_minor:
            return None
        amount = fee.amount_minor
    elif fee.kind == "percent":
        assert rate is not None
        amount = _round_half_up(base * rate, BASIS_POINTS)
    elif fee.kind == "daily_interest":
        rate = rate if rate is not None else statutory_rate_bp
        start = max(invoice.due_date, interest_from or invoice.due_date)
        days = (send_date - start).days
        if days <= 0:
            return None
        amount = _round_half_up(base * rate * days, BASIS_POINTS * DAYS_A_YEAR)
    else:
        return None
    if amount <= 0:
        return None
    return LateFee(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        step_key=step_key,
        offset_days=offset_days,
        kind=fee.kind,
        amount_minor=amount,
        currency=invoice.currency,
        base_minor=base,
        rate_bp=rate,
        days=days,
        period_start=start,
        period_end=send_date if days is not None else None,
    )


def format_rate(rate_bp: int, locale: str = "en") -> str:
    """Basis points as a percentage for people: 500 -> "5%", 1250 -> "12.5%" ("12,5 %" in German)."""
    return format_percent(Decimal(rate_bp) / BASIS_POINTS, locale=locale, decimal_quantization=False)


def describe(fee: LateFee) -> str:
    """The adjustment's line on the invoice, in plain words (the app speaks English)."""

    def money(minor: int) -> str:
        return format_for_people(minor, fee.currency, "en")

    step = f"with the reminder {fee.offset_days} day{'s' if fee.offset_days != 1 else ''} after the due date"
    if fee.kind == "percent":
        assert fee.rate_bp is not None
        return f"Late fee: {format_rate(fee.rate_bp)} of {money(fee.base_minor)} unpaid, {step}"
    if fee.kind == "daily_interest":
        assert fee.rate_bp is not None and fee.period_start and fee.period_end
        first = format_date(fee.period_start + timedelta(days=1), format="medium", locale="en")
        last = format_date(fee.period_end, format="medium", locale="en")
        return (
            f"Interest: {format_rate(fee.rate_bp)} a year on {money(fee.base_minor)} for {fee.days} "
            f"day{'s' if fee.days != 1 else ''} ({first} to {last}), {step}"
        )
    return f"Late fee, {step}"


def record(connection: Connection, fee: LateFee, *, reminder_id: int | None, now: datetime) -> bool:
    """Add the fee to the invoice, once: True when added now.

    Nothing is added when the invoice is no longer open (paid while the email was going out), or
    when this step (or this interest period) was already charged: the unique keys decide, so two
    dispatchers or a retried send cannot add it twice. The invoice row is updated first, which
    holds its lock until commit, so charges to one invoice are written one after the other.
    """
    charged = connection.execute(
        update(Invoice)
        .where(Invoice.id == fee.invoice_id, Invoice.status.in_(UNSETTLED), Invoice.currency == fee.currency)
        .values(fees_minor=Invoice.fees_minor + fee.amount_minor, updated_at=now)
    )
    if charged.rowcount != 1:
        return False
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(InvoiceAdjustment)
    added = connection.execute(
        insert.values(
            account_id=fee.account_id,
            invoice_id=fee.invoice_id,
            reminder_id=reminder_id,
            step_key=fee.step_key,
            kind=fee.kind,
            amount_minor=fee.amount_minor,
            currency=fee.currency,
            description=describe(fee),
            period_start=fee.period_start,
            period_end=fee.period_end,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(*InvoiceAdjustment.__table__.c)
    ).first()
    if added is None:
        connection.execute(
            update(Invoice).where(Invoice.id == fee.invoice_id).values(fees_minor=Invoice.fees_minor - fee.amount_minor)
        )
        return False
    outgoing_webhooks.late_fee(connection, "late_fee.charged", added, now=now)
    return True


def list_adjustments(session: Session, *, invoice: Invoice) -> list[InvoiceAdjustment]:
    return list(
        session.scalars(
            select(InvoiceAdjustment)
            .where(InvoiceAdjustment.invoice_id == invoice.id, InvoiceAdjustment.account_id == invoice.account_id)
            .order_by(InvoiceAdjustment.created_at, InvoiceAdjustment.id)
        )
    )
