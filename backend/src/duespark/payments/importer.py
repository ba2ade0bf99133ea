"""Open Stripe invoices and their customers into DueSpark, upserted by Stripe id: a second import changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.db import analyze_after_commit
from duespark.invoices.events import InvoiceChange, publish
from duespark.invoices.service import UNSETTLED, settle_status
from duespark.models import Account, Client, Invoice, StripeConnection
from duespark.models.enums import ClientType, InvoiceStatus
from duespark.money import MoneyError, normalize_currency
from duespark.payments.ledger import sync_stripe_invoice_paid
from duespark.payments.service import STRIPE_INVOICE_PREFIX

DEFAULT_TERMS_DAYS = 30
NAME_MAX = 200


@dataclass
class StripeImportResult:
    fetched: int = 0
    clients_created: int = 0
    clients_updated: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0
    invoices_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def _local_date(unix: int, timezone: str) -> date:
    return datetime.fromtimestamp(unix, UTC).astimezone(ZoneInfo(timezone)).date()


def _upsert_client(
    session: Session, *, account_id: int, stripe_invoice: dict[str, Any], result: StripeImportResult, clock: Clock
) -> Client:
    customer = stripe_invoice.get("customer")
    customer_id = customer.get("id") if isinstance(customer, dict) else customer
    email = (stripe_invoice.get("customer_email") or "").strip() or None
    name = (stripe_invoice.get("customer_name") or email or customer_id or "Stripe customer")[:NAME_MAX]
    client = session.scalars(
        select(Client).where(Client.account_id == account_id, Client.stripe_customer_id == customer_id)
    ).first()
    if client is not None:
        if email and (client.email or "").lower() != email.lower():
            client.email = email
            client.updated_at = clock.now()
            result.clients_updated += 1
        return client
    if email:
        # A client the user already keeps by hand: link it instead of making a twin.
        client = session.scalars(
            select(Client)
            .where(
                Client.account_id == account_id,
                Client.deleted_at.is_(None),
                Client.stripe_customer_id.is_(None),
                func.lower(Client.email) == email.lower(),
            )
            .order_by(Client.id)
        ).first()
        if client is not None:
            client.stripe_customer_id = customer_id
            client.updated_at = clock.now()
            result.clients_updated += 1
            return client
    now = clock.now()
    client = Client(
        account_id=account_id,
        name=name,
        email=email,
        client_type=ClientType.business,
        stripe_customer_id=customer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(client)
    session.flush()
    result.clients_created += 1
    return client


def _free_number(session: Session, account_id: int, wanted: str, stripe_id: str) -> str:
    taken = session.scalar(select(Invoice.id).where(Invoice.account_id == account_id, Invoice.number == wanted))
    return stripe_id if taken is not None else wanted


def import_stripe_invoices(
    session: Session, *, account_id: int, stripe_invoices: list[dict[str, Any]], clock: Clock
) -> StripeImportResult:
    """Upsert fetched Stripe invoices (fetched beforehand, outside this transaction).

    The account's row is locked first: two imports at the same moment run one after the other, so the
    second finds the clients and invoices the first created instead of failing on their unique keys.
    FOR NO KEY UPDATE, like every invoice lock: rows inserted meanwhile that refer to the account (a
    payment's FOR KEY SHARE check) are not blocked, so a payment holding its invoice cannot deadlock
    with the import waiting for that invoice.
    """
    account = session.scalars(
        select(Account)
        .where(Account.id == account_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()
    assert account is not None
    result = StripeImportResult(fetched=len(stripe_invoices))
    created_ids: list[int] = []
    updated_ids: list[int] = []
    paid_ids: list[int] = []
    paid_in_stripe: list[tuple[Invoice, dict[str, Any]]] = []
    for data in stripe_invoices:
        stripe_id = data["id"]
        try:
            currency = normalize_currency(str(data.get("currency") or ""))
        except MoneyError:
            result.skipped.append(f"{stripe_id}: unknown currency {data.get('currency')!r}")
            continue
        amount_due = int(data.get("amount_due") or 0)
        if amount_due <= 0:
            result.skipped.append(f"{stripe_id}: nothing is due")
            continue
        client = _upsert_client(session, account_id=account_id, stripe_invoice=data, result=result, clock=clock)
        if client.deleted_at is not None:
            result.skipped.append(f"{stripe_id}: its client was deleted in DueSpark")
            continue
        created = data.get("created") or int(clock.now().timestamp())
        issue_date = _local_date(created, account.timezone)
        due_date = (
            _local_date(data["due_date"], account.timezone)
            if data.get("due_date")
            else issue_date + timedelta(days=DEFAULT_TERMS_DAYS)
        )
        due_date = max(due_date, issue_date)
        external_id = f"{STRIPE_INVOICE_PREFIX}{stripe_id}"
        # Under the row lock (invariant 11): a payment or void at this moment waits, then sees the new amount.
        invoice = session.scalars(
            select(Invoice)
            .where(Invoice.account_id == account_id, Invoice.external_id == external_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        ).first()
        now = clock.now()
        if invoice is None:
            invoice = Invoice(
                account_id=account_id,
                client_id=client.id,
                number=_free_number(session, account_id, str(data.get("number") or stripe_id)[:64], stripe_id),
                amount_minor=amount_due,
                amount_paid_minor=0,
                currency=currency,
                issue_date=issue_date,
                due_date=due_date,
                status=InvoiceStatus.open,
                description=data.get("description"),
                external_id=external_id,
                reminders_excluded=False,
                created_at=now,
                updated_at=now,
            )
            session.add(invoice)
            session.flush()
            created_ids.append(invoice.id)
            result.invoices_created += 1
        elif invoice.status in UNSETTLED and (
            invoice.due_date != due_date or invoice.amount_minor != amount_due or invoice.currency != currency
        ):
            if invoice.amount_paid_minor and invoice.currency != currency:
                result.skipped.append(f"{stripe_id}: currency changed after payments were recorded")
                continue
            invoice.due_date = due_date
            invoice.amount_minor = max(amount_due, invoice.amount_paid_minor)
            invoice.currency = currency
            invoice.updated_at = now
            # Lowered to what was already paid: the invoice is paid (its reminders stop, the client is thanked).
            settle_status(invoice, paid_at=now)
            (paid_ids if invoice.status == InvoiceStatus.paid else updated_ids).append(invoice.id)
            result.invoices_updated += 1
        else:
            result.invoices_unchanged += 1
        paid_in_stripe.append((invoice, data))
    connection = session.scalars(select(StripeConnection).where(StripeConnection.account_id == account_id)).first()
    if connection is not None:
        connection.last_import_at = clock.now()
    if created_ids:
        publish(session, InvoiceChange.created, created_ids, clock)
    if updated_ids:
        publish(session, InvoiceChange.updated, updated_ids, clock)
    if paid_ids:
        publish(session, InvoiceChange.paid, paid_ids, clock)
    for invoice, data in paid_in_stripe:
        # Partly paid in Stripe already: the same cumulative sync the invoice.paid webhook uses.
        sync_stripe_invoice_paid(
            session,
            invoice=invoice,
            stripe_invoice_id=data["id"],
            amount_paid=int(data.get("amount_paid") or 0),
            currency=invoice.currency,
            paid_at=clock.now(),
            clock=clock,
        )
    if created_ids:
        analyze_after_commit(session, "clients", "invoices", "reminders", "reminder_send_slots")
    return result
