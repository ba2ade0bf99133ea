"""Money from Stripe into the invoice ledger, keyed so that a replayed or reordered event changes nothing.

Every amount goes through `invoices.service.apply_payment`, so Stripe payments have exactly the
effects of manual ones (status, events, reminders canceled, thank-you). Each payment carries a
reference that is unique per (method, reference) in the database. Each function takes the invoice's row
lock before it reads what was already recorded (invariant 11), so deliveries at the same moment add up
one after the other:
- a card payment: the PaymentIntent id (checkout.session.completed and payment_intent.succeeded
  name the same one, so whichever comes first records it and the other finds it);
- a refund: "refund:<charge>:<cumulative amount_refunded>", recording only the part of the
  cumulative total not yet recorded, so an older refund event arriving late adds nothing;
- a paid Stripe invoice: "stripe-invoice:<invoice>:<cumulative amount_paid>", the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.invoices.service import apply_payment, lock_for_update
from duespark.models import Invoice, Payment
from duespark.models.enums import PaymentMethod


class CurrencyMismatch(ValueError):
    pass


def _exists(session: Session, reference: str) -> bool:
    return (
        session.scalar(
            select(Payment.id).where(Payment.method == PaymentMethod.stripe, Payment.external_reference == reference)
        )
        is not None
    )


def _sum_with_prefix(session: Session, invoice: Invoice, prefix: str) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(Payment.amount_minor), 0)).where(
            Payment.invoice_id == invoice.id,
            Payment.method == PaymentMethod.stripe,
            Payment.external_reference.startswith(prefix, autoescape=True),
        )
    )


def _check_currency(invoice: Invoice, currency: str) -> None:
    if currency.upper() != invoice.currency:
        raise CurrencyMismatch(f"paid in {currency.upper()}, invoice {invoice.number} is in {invoice.currency}")


def record_stripe_payment(
    session: Session,
    *,
    invoice: Invoice,
    amount_minor: int,
    currency: str,
    reference: str,
    paid_at: datetime,
    clock: Clock,
    note: str | None = None,
) -> bool:
    """True when recorded now; False when this reference was already recorded or nothing was paid.

    An amount above the balance is recorded as it is (the client paid it): the invoice is paid
    with a negative balance, which the invoice page shows as an over-payment to refund.
    """
    lock_for_update(session, invoice)
    _check_currency(invoice, currency)
    if amount_minor <= 0 or _exists(session, reference):
        return False
    apply_payment(
        session,
        invoice=invoice,
        amount_minor=amount_minor,
        method=PaymentMethod.stripe,
        paid_at=paid_at,
        clock=clock,
        external_reference=reference,
        note=note,
    )
    return True


def record_stripe_refund(
    session: Session,
    *,
    invoice: Invoice,
    charge_id: str,
    amount_refunded: int,
    currency: str,
    refunded_at: datetime,
    clock: Clock,
) -> int:
    """Record the part of a charge's cumulative refund not yet recorded; returns that amount."""
    lock_for_update(session, invoice)
    _check_currency(invoice, currency)
    prefix = f"refund:{charge_id}:"
    already = -_sum_with_prefix(session, invoice, prefix)
    delta = amount_refunded - already
    if delta <= 0 or _exists(session, f"{prefix}{amount_refunded}"):
        return 0
    apply_payment(
        session,
        invoice=invoice,
        amount_minor=-delta,
        method=PaymentMethod.stripe,
        paid_at=refunded_at,
        clock=clock,
        external_reference=f"{prefix}{amount_refunded}",
        note="Refunded in Stripe",
    )
    return delta


def sync_stripe_invoice_paid(
    session: Session,
    *,
    invoice: Invoice,
    stripe_invoice_id: str,
    amount_paid: int,
    currency: str,
    paid_at: datetime,
    clock: Clock,
) -> int:
    """Bring an imported invoice's payments up to Stripe's cumulative `amount_paid`; returns what was added."""
    lock_for_update(session, invoice)
    _check_currency(invoice, currency)
    prefix = f"stripe-invoice:{stripe_invoice_id}:"
    delta = amount_paid - _sum_with_prefix(session, invoice, prefix)
    if delta <= 0 or _exists(session, f"{prefix}{amount_paid}"):
        return 0
    apply_payment(
        session,
        invoice=invoice,
        amount_minor=delta,
        method=PaymentMethod.stripe,
        paid_at=paid_at,
        clock=clock,
        external_reference=f"{prefix}{amount_paid}",
        note="Paid in Stripe",
    )
    return delta
