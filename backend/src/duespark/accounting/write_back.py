"""Stripe payments written back to the books, once each (an option per connection, off by default).

At the start of each sync run, under the run's lease (one worker per connection at a time), before its
pages are read: every card payment DueSpark received since the option was turned on, for an invoice that
came from these books and has no written-back record yet, is sent to the provider with an idempotency key
made of the connection and the payment. Its link (kind "payment") is committed as soon as the provider
answers; a crash between the answer and that commit makes the next run send the same key again, which the
provider answers with the payment it already made. Because it goes first, the pages read next already show
the invoice paid in the books, and the sync records nothing twice. Refunds are not written back: they are
the books' to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from duespark.accounting.base import PaymentToWrite
from duespark.accounting.sync import CONTACT, INVOICE, Changes, add_link
from duespark.clock import Clock
from duespark.models import AccountingConnection, AccountingLink, Invoice, Payment
from duespark.models.enums import PaymentMethod
from duespark.money import currency_exponent

PAYMENT = "payment"
# Per run; the rest go in the next run (they stay pending until their link exists).
MAX_PER_RUN = 50


@dataclass(frozen=True)
class Pending:
    payment_id: int
    payment: PaymentToWrite


def pending(session: Session, connection: AccountingConnection, *, limit: int = MAX_PER_RUN) -> list[Pending]:
    """The connection's payments still to write back, oldest first."""
    if connection.write_back_since is None:
        return []
    invoice_link, contact_link, written = aliased(AccountingLink), aliased(AccountingLink), aliased(AccountingLink)
    rows = session.execute(
        select(Payment, invoice_link.external_id, contact_link.external_id)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(
            invoice_link,
            and_(
                invoice_link.connection_id == connection.id,
                invoice_link.kind == INVOICE,
                invoice_link.local_id == Payment.invoice_id,
            ),
        )
        .outerjoin(
            contact_link,
            and_(
                contact_link.connection_id == connection.id,
                contact_link.kind == CONTACT,
                contact_link.local_id == Invoice.client_id,
            ),
        )
        .where(
            Payment.account_id == connection.account_id,
            Payment.method == PaymentMethod.stripe,
            Payment.amount_minor > 0,
            Payment.created_at >= connection.write_back_since,
            ~exists().where(
                written.connection_id == connection.id, written.kind == PAYMENT, written.local_id == Payment.id
            ),
        )
        .order_by(Payment.id)
        .limit(limit)
    ).all()
    return [
        Pending(
            payment.id,
            PaymentToWrite(
                invoice_external_id=invoice_external_id,
                contact_external_id=contact_external_id,
                amount=Decimal(payment.amount_minor).scaleb(-currency_exponent(payment.currency)),
                currency=payment.currency,
                paid_on=payment.paid_at.date(),
                reference=payment.external_reference or f"payment {payment.id}",
                idempotency_key=f"duespark-{connection.id}-payment-{payment.id}",
            ),
        )
        for payment, invoice_external_id, contact_external_id in rows
    ]


def written(
    session: Session, connection: AccountingConnection, *, payment_id: int, external_id: str, clock: Clock
) -> bool:
    """Record that the payment is in the books; False when another run recorded it first."""
    already = session.scalar(
        select(AccountingLink.id).where(
            AccountingLink.connection_id == connection.id,
            AccountingLink.kind == PAYMENT,
            AccountingLink.local_id == payment_id,
        )
    )
    if already is not None:
        return False
    add_link(session, connection, PAYMENT, external_id, payment_id, clock)
    return True


def note(changes: Changes, *, payment_id: int, error: str | None) -> None:
    if error is None:
        changes.add("payments_written_back")
    else:
        changes.error(PAYMENT, str(payment_id), error)
