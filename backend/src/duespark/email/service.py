"""Messages, suppressions, consent and the webhook inbox: what the dispatcher, the webhooks and the API share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Insert, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.events import on_address_suppressed, on_client_unsubscribed
from duespark.email.links import UNSUBSCRIBE_PURPOSE
from duespark.email.message import OutgoingEmail
from duespark.invoices.events import InvoiceChange
from duespark.models import (
    Account,
    Client,
    Invoice,
    Membership,
    Message,
    MessageEvent,
    Suppression,
    User,
)
from duespark.models.enums import Role
from duespark.settings import Settings
from duespark.signing import InvalidLink, verify_token
from duespark.tenancy import get_owned

# Kinds of message sent to a client (consent and suppression apply) and to a user (they do not).
CLIENT_KINDS = frozenset({"reminder", "thank_you", "promise_missed"})
ACCOUNT_KINDS = frozenset({"verify_email", "password_reset", "client_unsubscribed", "security_notice", "invitation"})


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _insert(session: Session, model: type) -> Insert:
    """INSERT that can say ON CONFLICT DO NOTHING on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


# --- suppressions -------------------------------------------------------------------------------


def is_suppressed(session: Session, account_id: int, email: str) -> bool:
    """True when the address may not be mailed by this account (its own list or the global one)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Suppression.email == normalize_email(email),
                    or_(Suppression.account_id == account_id, Suppression.account_id.is_(None)),
                )
            )
        )
    )


def suppressed_addresses(session: Session, emails: set[str]) -> dict[str, set[int | None]]:
    """For each suppressed address among `emails`, the accounts it is suppressed for (None: all).

    One query for a whole batch, so the dispatcher's re-check costs no query per reminder.
    """
    if not emails:
        return {}
    found: dict[str, set[int | None]] = {}
    for account_id, email in session.execute(
        select(Suppression.account_id, Suppression.email).where(
            Suppression.email.in_({normalize_email(e) for e in emails})
        )
    ):
        found.setdefault(email, set()).add(account_id)
    return found


def clients_with_address(session: Session, *, account_id: int | None, email: str) -> list[int]:
    stmt = select(Client.id).where(func.lower(Client.email) == normalize_email(email))
    if account_id is not None:
        stmt = stmt.where(Client.account_id == account_id)
    return list(session.scalars(stmt.order_by(Client.id)))


def suppress(
    session: Session, *, account_id: int | None, email: str, reason: str, clock: Clock, detail: str | None = None
) -> list[int]:
    """Stop all mail to an address (in one account, or everywhere with `account_id=None`).

    Returns the clients that use the address; listeners (the reminder engine) are told so they pause
    those clients' reminders with the reason. Suppressing twice changes nothing.
    """
    address = normalize_email(email)
    session.execute(
        _insert(session, Suppression)
        .values(
            account_id=account_id, email=address, reason=reason, detail=detail and detail[:500], created_at=clock.now()
        )
        .on_conflict_do_nothing()
    )
    client_ids = clients_with_address(session, account_id=account_id, email=address)
    on_address_suppressed.publish(session, client_ids, reason, clock)
    return client_ids


def list_suppressions(session: Session, *, account_id: int) -> list[Suppression]:
    """The account's own suppressions, and global ones that hit one of its clients."""
    client_addresses = select(func.lower(Client.email)).where(Client.account_id == account_id)
    return list(
        session.scalars(
            select(Suppression)
            .where(
                or_(
                    Suppression.account_id == account_id,
                    Suppression.account_id.is_(None) & Suppression.email.in_(client_addresses),
                )
            )
            .order_by(Suppression.created_at.desc(), Suppression.id.desc())
        )
    )


def delete_suppression(session: Session, *, account_id: int, suppression_id: int) -> None:
    """Lift one of the account's own suppressions (the client fixed their address or asked to resume).

    Global ones (hard bounces) are not the account's to lift; they answer 404 like any other account's row.
    """
    suppression = get_owned(session, Suppression, suppression_id, account_id, what="Suppression")
    session.delete(suppression)


# --- consent ------------------------------------------------------------------------------------


def unsubscribe_target(session: Session, *, token: str, settings: Settings) -> tuple[Client, Account]:
    """The client an unsubscribe link was made for; InvalidLink (404) for a forged or altered one."""
    value = verify_token(settings, UNSUBSCRIBE_PURPOSE, token)
    client = session.get(Client, int(value)) if value.isdigit() else None
    if client is None:
        raise InvalidLink()
    account = session.get(Account, client.account_id)
    assert account is not None
    return client, account


def unsubscribe_client(session: Session, *, client: Client, clock: Clock) -> Client:
    """One click, no sign-in: the client gets no more reminders; the engine is told to cancel pending ones."""
    if client.unsubscribed_at is None:
        client.unsubscribed_at = clock.now()
        client.updated_at = client.unsubscribed_at
        on_client_unsubscribed.publish(session, [client.id], "unsubscribed", clock)
    return client


def can_send_reminders(session: Session, account_id: int, settings: Settings) -> bool:
    """Whether this account may mail its clients: in production, only once its owner's address is verified."""
    if not settings.verified_email_required:
        return True
    return bool(
        session.scalar(
            select(
                exists()
                .where(Membership.account_id == account_id, Membership.role == Role.owner)
                .where(User.id == Membership.user_id, User.email_verified_at.is_not(None))
            )
        )
    )


def owner_email(session: Session, account_id: int) -> str | None:
    return session.scalar(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account_id, Membership.role == Role.owner)
        .order_by(Membership.id)
        .limit(1)
    )


def delivery_target(session: Session, *, account: Account, client_email: str | None) -> tuple[str | None, bool]:
    """Who really receives a client email: the client, or in test mode the account's own address."""
    if account.test_mode:
        return account.sender_email or owner_email(session, account.id), True
    return client_email, False


# --- messages -----------------------------------------------------------------------------------


def record_message(
    session: Session,
    *,
    account_id: int,
    client_id: int | None,
    invoice_id: int | None,
    reminder_id: int | None,
    kind: str,
    template_key: str | None,
    to_email: str,
    subject: str,
    provider: str,
    provider_message_id: str | None,
    status: str,
    is_test: bool,
    sent_at: datetime | None,
    error: str | None = None,
    clock: Clock | None = None,
) -> Message:
    """The row for an email the dispatcher sent (or failed to send), which webhooks later update.

    A failed send has no `sent_at`: pass the `clock` so the row still says when it happened.
    """
    created_at = clock.now() if clock is not None else sent_at
    if created_at is None:
        raise ValueError("record_message needs sent_at or a clock")
    message = Message(
        account_id=account_id,
        client_id=client_id,
        invoice_id=invoice_id,
        reminder_id=reminder_id,
        kind=kind,
        template_key=template_key,
        to_email=to_email,
        subject=subject[:500],
        provider=provider,
        provider_message_id=provider_message_id,
        status=status,
        is_test=is_test,
        error=error,
        created_at=created_at,
        sent_at=sent_at,
        attempts=1 if sent_at else 0,
    )
    session.add(message)
    session.flush()
    return message


def queue_message(
    session: Session,
    *,
    account_id: int,
    kind: str,
    to_email: str,
    clock: Clock,
    client_id: int | None = None,
    invoice_id: int | None = None,
    template_key: str | None = None,
    email: OutgoingEmail | None = None,
    is_test: bool = False,
) -> Message:
    """An email for the outbox worker: rendered now (`email`) or when sent (thank-you, from the invoice)."""
    now = clock.now()
    message = Message(
        account_id=account_id,
        client_id=client_id,
        invoice_id=invoice_id,
        kind=kind,
        template_key=template_key,
        to_email=to_email,
        subject=email.subject[:500] if email else "",
        provider="outbox",
        status="queued",
        is_test=is_test,
        content=email.to_dict() if email else None,
        header_message_id=email.headers.get("Message-ID") if email else None,
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message


def queue_thank_you(session: Session, *, invoice_ids: Sequence[int], clock: Clock) -> list[Message]:
    """One thank-you per paid invoice, queued for the outbox; never twice for the same invoice."""
    already_thanked = select(Message.invoice_id).where(Message.invoice_id.in_(invoice_ids), Message.kind == "thank_you")
    rows = session.execute(
        select(Invoice, Client, Account)
        .join(Client, Client.id == Invoice.client_id)
        .join(Account, Account.id == Invoice.account_id)
        .where(
            Invoice.id.in_(invoice_ids),
            Invoice.id.not_in(already_thanked),
            Client.email.is_not(None),
            Client.unsubscribed_at.is_(None),
            Client.deleted_at.is_(None),
        )
    ).all()
    queued: list[Message] = []
    for invoice, client, account in rows:
        assert client.email is not None
        if is_suppressed(session, account.id, client.email):
            continue
        to_email, is_test = delivery_target(session, account=account, client_email=client.email)
        if not to_email:
            continue
        queued.append(
            queue_message(
                session,
                account_id=account.id,
                client_id=client.id,
                invoice_id=invoice.id,
                kind="thank_you",
                template_key="thank_you",
                to_email=to_email,
                is_test=is_test,
                clock=clock,
            )
        )
    return queued


def on_invoice_change(session: Session, change: InvoiceChange, invoice_ids: Sequence[int], clock: Clock) -> None:
    if change == InvoiceChange.paid:
        queue_thank_you(session, invoice_ids=invoice_ids, clock=clock)


def list_invoice_messages(
    session: Session, *, account_id: int, invoice_id: int
) -> list[tuple[Message, list[MessageEvent]]]:
    get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.account_id == account_id, Message.invoice_id == invoice_id)
            .order_by(Message.created_at, Message.id)
        )
    )
    events: dict[int, list[MessageEvent]] = {m.id: [] for m in messages}
    if messages:
        for event in session.scalars(
            select(MessageEvent)
            .where(MessageEvent.message_id.in_(list(events)))
            .order_by(MessageEvent.occurred_at, MessageEvent.id)
        ):
            events[event.message_id].append(event)
    return [(m, events[m.id]) for m in messages]
