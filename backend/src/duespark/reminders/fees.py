"""Late fees of reminder steps: the fee a step adds, worked out when its email is composed (so the
email shows it) and recorded when the email is sent, once per invoice and step.

- Off unless a policy step has a fee; only steps after the due date may have one.
- Nothing is charged for an email that is not sent: a failed or never attempted send records
  nothing, and a retry works the fee out again. In test mode the email shows the fee but nothing
  is charged, as the client receives nothing.
- Once per (invoice, step key), for the invoice's whole life: when the due date moves and the
  steps are planned again, a step that already charged does not charge again (interest goes on
  from where the last interest charge ended; invoices/adjustments.py).
- Invoices imported from Stripe are not charged: Stripe's page collects Stripe's amount.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import Account, Client, Invoice, InvoiceAdjustment, Reminder, ReminderPolicy, ReminderPolicyStep
from duespark.money import format_for_people
from duespark.payments.service import stripe_invoice_id
from duespark.reminders.policy import Fee, zone


def step_fee(session: Session, *, account_id: int, client_id: int, step_key: str) -> Fee | None:
    """The fee of the step in the policy the client follows now (their own, else the account's)."""
    client_policy = select(ReminderPolicy.id).where(ReminderPolicy.client_id == client_id).scalar_subquery()
    account_policy = (
        select(ReminderPolicy.id)
        .where(ReminderPolicy.account_id == account_id, ReminderPolicy.client_id.is_(None))
        .scalar_subquery()
    )
    row = session.execute(
        select(
            ReminderPolicyStep.fee_kind,
            ReminderPolicyStep.fee_amount_minor,
            ReminderPolicyStep.fee_currency,
            ReminderPolicyStep.fee_rate_bp,
        ).where(
            ReminderPolicyStep.policy_id == func.coalesce(client_policy, account_policy),
            ReminderPolicyStep.step_key == step_key,
        )
    ).first()
    if row is None or row.fee_kind is None:
        return None
    return Fee(row.fee_kind, row.fee_amount_minor, row.fee_currency, row.fee_rate_bp)


def send_date(now: datetime, client: Client, account: Account) -> date:
    """The client's local date at `now`: what "days late" counts to."""
    return now.astimezone(zone(client.timezone or account.timezone)).date()


def fee_for_reminder(
    session: Session, *, reminder: Reminder, invoice: Invoice, client: Client, account: Account, on: date
) -> LateFee | None:
    """The fee this reminder's email adds if it is sent on the local date `on`, or None."""
    if reminder.offset_days <= 0 or stripe_invoice_id(invoice) is not None:
        return None
    fee = step_fee(session, account_id=account.id, client_id=client.id, step_key=reminder.step_key)
    if fee is None:
        return None
    charged = session.execute(
        select(InvoiceAdjustment.step_key, InvoiceAdjustment.period_end).where(
            InvoiceAdjustment.invoice_id == invoice.id
        )
    ).all()
    if any(step == reminder.step_key for step, _ in charged):
        return None
    return adjustments.compute(
        fee,
        invoice=invoice,
        step_key=reminder.step_key,
        offset_days=reminder.offset_days,
        send_date=on,
        interest_from=max((end for _, end in charged if end is not None), default=None),
        statutory_rate_bp=account.late_interest_rate_bp,
    )


def record_sent(connection: Connection, fee: LateFee, *, reminder_id: int, now: datetime) -> bool:
    """In the transaction that marks the reminder sent: charge the fee its email showed, and say so
    on the reminder's timeline entry."""
    if not adjustments.record(connection, fee, reminder_id=reminder_id, now=now):
        return False
    audit.record(
        connection,
        account_id=fee.account_id,
        action="fee.charged",
        entity_type="invoice",
        entity_id=fee.invoice_id,
        now=now,
        actor=audit.WORKER,
        changes={
            "kind": fee.kind,
            "amount_minor": fee.amount_minor,
            "currency": fee.currency,
            "reminder_id": reminder_id,
        },
    )
    what = "Interest" if fee.kind == "daily_interest" else "A late fee"
    note = f"{what} of {format_for_people(fee.amount_minor, fee.currency, 'en')} was added to the invoice."
    connection.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(detail=func.coalesce(Reminder.detail + " ", "") + note)
    )
    return True
