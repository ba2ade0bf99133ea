"""Payment links: clicks, checkout sessions reused while valid, the client portal, Stripe connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.errors import InvalidInput, NotFound
from duespark.invoices.service import UNSETTLED
from duespark.models import (
    Account,
    CheckoutSession,
    Client,
    Invoice,
    Payment,
    PaymentLinkClick,
    StripeConnection,
)
from duespark.payments import links
from duespark.payments.crypto import decrypt_secret, encrypt_secret
from duespark.payments.stripe import (
    WEBHOOK_SECRET_PATTERN,
    CheckoutRequest,
    StripeCheckout,
    check_secret_key,
    key_mode,
)
from duespark.settings import Settings

# A session about to expire would fail under the client's fingers: make a new one instead.
CHECKOUT_REUSE_MARGIN = timedelta(minutes=10)
USER_AGENT_MAX = 500
STRIPE_INVOICE_PREFIX = "stripe:"
PORTAL_HISTORY_LIMIT = 100


@dataclass(frozen=True)
class PayTarget:
    invoice: Invoice
    account: Account
    client: Client


@dataclass(frozen=True)
class CheckoutPlan:
    """What opening a pay link leads to: an open session, a new one to create, or Stripe's invoice page."""

    api_key: str
    reuse_url: str | None = None
    create: CheckoutRequest | None = None
    stripe_invoice_id: str | None = None


@dataclass(frozen=True)
class ClickCount:
    reminder_id: int | None
    count: int
    last_clicked_at: datetime


@dataclass(frozen=True)
class PortalView:
    account: Account
    client: Client
    open_invoices: list[Invoice]
    payments: list[tuple[Payment, str]]


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def is_payable(invoice: Invoice) -> bool:
    return invoice.status in UNSETTLED and invoice.balance_minor > 0


def stripe_invoice_id(invoice: Invoice) -> str | None:
    if invoice.external_id and invoice.external_id.startswith(STRIPE_INVOICE_PREFIX):
        return invoice.external_id.removeprefix(STRIPE_INVOICE_PREFIX)
    return None


def load_pay_target(session: Session, *, settings: Settings, token: str) -> PayTarget:
    """The invoice a pay token names; a forged token or a deleted invoice is the same 404."""
    invoice = session.get(Invoice, links.invoice_id_from_token(settings, token))
    if invoice is None:
        raise NotFound("Invoice")
    account = session.get(Account, invoice.account_id)
    client = session.get(Client, invoice.client_id)
    if account is None or client is None:
        raise NotFound("Invoice")
    return PayTarget(invoice=invoice, account=account, client=client)


def record_click(
    session: Session,
    *,
    settings: Settings,
    invoice: Invoice,
    reminder_marker: str | None,
    user_agent: str | None,
    ip: str | None,
    clock: Clock,
) -> PaymentLinkClick:
    click = PaymentLinkClick(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        reminder_id=links.reminder_id_from_marker(settings, invoice.id, reminder_marker),
        clicked_at=clock.now(),
        user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
        ip=ip if settings.store_click_ip else None,
    )
    session.add(click)
    session.flush()
    return click


def click_counts(session: Session, *, invoice: Invoice) -> list[ClickCount]:
    rows = session.execute(
        select(PaymentLinkClick.reminder_id, func.count(), func.max(PaymentLinkClick.clicked_at))
        .where(PaymentLinkClick.account_id == invoice.account_id, PaymentLinkClick.invoice_id == invoice.id)
        .group_by(PaymentLinkClick.reminder_id)
        .order_by(PaymentLinkClick.reminder_id.nulls_first())
    ).all()
    return [ClickCount(reminder_id=r, count=c, last_clicked_at=last) for r, c, last in rows]


def stripe_key_for(session: Session, *, settings: Settings, account_id: int) -> str | None:
    """The account's own Stripe key, else the server's (a self-hosted business's own Stripe)."""
    connection = get_connection(session, account_id=account_id)
    if connection is not None:
        return decrypt_secret(settings, connection.secret_key_encrypted)
    return settings.stripe_secret_key


def plan_checkout(session: Session, *, settings: Settings, target: PayTarget, clock: Clock) -> CheckoutPlan | None:
    """How to take the balance by card, or None without Stripe (the built-in page is shown)."""
    invoice = target.invoice
    api_key = stripe_key_for(session, settings=settings, account_id=invoice.account_id)
    if api_key is None or not is_payable(invoice):
        return None
    imported = stripe_invoice_id(invoice)
    if imported:
        return CheckoutPlan(api_key=api_key, stripe_invoice_id=imported)
    sessions = session.scalars(
        select(CheckoutSession).where(CheckoutSession.invoice_id == invoice.id).order_by(CheckoutSession.id.desc())
    ).all()
    for existing in sessions:
        if (
            existing.status == "open"
            and existing.amount_minor == invoice.balance_minor
            and existing.currency == invoice.currency
            and existing.expires_at > clock.now() + CHECKOUT_REUSE_MARGIN
        ):
            return CheckoutPlan(api_key=api_key, reuse_url=existing.url)
    token = links.invoice_pay_token(settings, invoice.id)
    base = settings.public_url.rstrip("/")
    # Balance and generation in the key: a changed balance or an expired session gets a new
    # session, while two clicks at once (same state) get the same one back from Stripe.
    generation = len(sessions)
    return CheckoutPlan(
        api_key=api_key,
        create=CheckoutRequest(
            invoice_id=invoice.id,
            account_id=invoice.account_id,
            invoice_number=invoice.number,
            amount_minor=invoice.balance_minor,
            currency=invoice.currency,
            customer_email=target.client.email,
            success_url=f"{base}/pay/{token}/done",
            cancel_url=f"{base}/pay/{token}?canceled=1",
            idempotency_key=f"duespark-checkout-{invoice.id}-{invoice.balance_minor}-{generation}",
        ),
    )


def save_checkout_session(
    session: Session, *, account_id: int, invoice_id: int, checkout: StripeCheckout, clock: Clock
) -> None:
    """Remember a session for reuse; the same session saved twice (an idempotent replay) is one row."""
    stmt = (
        _insert(session)(CheckoutSession)
        .values(
            account_id=account_id,
            invoice_id=invoice_id,
            stripe_session_id=checkout.id,
            url=checkout.url,
            amount_minor=checkout.amount_minor,
            currency=checkout.currency,
            status=checkout.status,
            payment_status=checkout.payment_status,
            payment_intent_id=None,
            expires_at=checkout.expires_at,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["stripe_session_id"])
    )
    session.execute(stmt)


def load_portal(session: Session, *, settings: Settings, token: str) -> PortalView:
    client = session.get(Client, links.client_id_from_token(settings, token))
    if client is None or client.deleted_at is not None:
        raise NotFound("Client")
    account = session.get(Account, client.account_id)
    if account is None:
        raise NotFound("Client")
    open_invoices = session.scalars(
        select(Invoice)
        .where(
            Invoice.account_id == client.account_id,
            Invoice.client_id == client.id,
            Invoice.status.in_(UNSETTLED),
        )
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    payments = session.execute(
        select(Payment, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.account_id == client.account_id, Invoice.client_id == client.id)
        .order_by(Payment.paid_at.desc(), Payment.id.desc())
        .limit(PORTAL_HISTORY_LIMIT)
    ).all()
    return PortalView(
        account=account,
        client=client,
        open_invoices=list(open_invoices),
        payments=[(payment, number) for payment, number in payments],
    )


def load_receipt(
    session: Session, *, settings: Settings, token: str, payment_id: int
) -> tuple[PortalView, Payment, str]:
    """A payment of this client's invoices, with the invoice number; anything else is a 404."""
    view = load_portal(session, settings=settings, token=token)
    row = session.execute(
        select(Payment, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.id == payment_id, Payment.account_id == view.client.account_id)
        .where(Invoice.client_id == view.client.id)
    ).first()
    if row is None:
        raise NotFound("Receipt")
    return view, row[0], row[1]


def get_connection(session: Session, *, account_id: int) -> StripeConnection | None:
    return session.scalars(select(StripeConnection).where(StripeConnection.account_id == account_id)).first()


def check_webhook_secret(webhook_secret: str | None) -> None:
    if webhook_secret and not WEBHOOK_SECRET_PATTERN.match(webhook_secret):
        raise InvalidInput("webhook_secret", "A Stripe webhook signing secret starts with whsec_")


def connect_stripe(
    session: Session,
    *,
    settings: Settings,
    account_id: int,
    secret_key: str,
    webhook_secret: str | None,
    clock: Clock,
) -> StripeConnection:
    key = check_secret_key(secret_key)
    check_webhook_secret(webhook_secret)
    now = clock.now()
    connection = get_connection(session, account_id=account_id)
    if connection is None:
        connection = StripeConnection(account_id=account_id, created_at=now)
        session.add(connection)
    connection.secret_key_encrypted = encrypt_secret(settings, key)
    connection.webhook_secret_encrypted = encrypt_secret(settings, webhook_secret) if webhook_secret else None
    connection.mode = key_mode(key)
    connection.key_last4 = key[-4:]
    connection.updated_at = now
    session.flush()
    return connection


def disconnect_stripe(session: Session, *, account_id: int) -> None:
    connection = get_connection(session, account_id=account_id)
    if connection is not None:
        session.delete(connection)
        session.flush()


def account_webhook_secrets(session: Session, *, settings: Settings, account_id: int) -> list[str]:
    connection = get_connection(session, account_id=account_id)
    if connection is None or connection.webhook_secret_encrypted is None:
        return []
    return [decrypt_secret(settings, connection.webhook_secret_encrypted)]
