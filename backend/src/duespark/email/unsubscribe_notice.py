"""When a client unsubscribes from payment reminders, the user is told at once, in the app and by email.

The unsubscribe is honoured as before (the client gets no more automatic reminders); what changes is
that it no longer happens silently while the client still owes money: each owner of the account gets
an email (queued in the outbox, so it goes after the commit) saying which client stopped the
reminders, when, and what is still open, so they can follow up in person. The client itself says
the same in the API (`reminders_stopped_reason`, see clients/schemas.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duespark.clock import Clock, today_in
from duespark.email.compose import babel_locale, compose_account_notice
from duespark.email.service import queue_message
from duespark.models import Account, Client, Invoice, Membership, User
from duespark.models.enums import InvoiceStatus, Role
from duespark.money import format_for_people
from duespark.notices import service as notices
from duespark.settings import Settings

log = structlog.get_logger(__name__)

KIND = "client_unsubscribed"
OPEN_STATUSES = (InvoiceStatus.open, InvoiceStatus.partially_paid)
_settings: Settings | None = None


def use_settings(settings: Settings) -> None:
    """The public URL and sender address the emails need (set once by `wiring.connect_domains`)."""
    global _settings
    _settings = settings


def open_invoices(session: Session, *, account_id: int, client_id: int) -> tuple[int, dict[str, int]]:
    """How many of the client's invoices are still open, and what they owe per currency."""
    rows = session.execute(
        select(Invoice.currency, func.count(), func.sum(Invoice.balance_minor))
        .where(
            Invoice.account_id == account_id,
            Invoice.client_id == client_id,
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.balance_minor > 0,
        )
        .group_by(Invoice.currency)
    ).all()
    return sum(count for _, count, _ in rows), {currency: int(total) for currency, _, total in rows}


def notify_unsubscribed(session: Session, client_ids: Sequence[int], reason: str, clock: Clock) -> None:
    """Listener of `on_client_unsubscribed`: one email per owner of the account, per client."""
    settings = _settings
    if reason != "unsubscribed" or settings is None:
        return
    for client in session.scalars(select(Client).where(Client.id.in_(client_ids))):
        account = session.get(Account, client.account_id)
        if account is None or client.unsubscribed_at is None:
            continue
        owners = session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.account_id == account.id, Membership.role == Role.owner)
            .order_by(Membership.id)
        ).all()
        count, totals = open_invoices(session, account_id=account.id, client_id=client.id)
        locale = babel_locale(account.locale or "en")
        day = today_in(clock, account.timezone)  # the listener runs as the client unsubscribes
        variables = {
            "client_name": client.name,
            "client_email": client.email or "",
            "unsubscribed_on": format_date(day, format="long", locale=locale),
            "open_invoice_count": count,
            "open_total": " + ".join(format_for_people(m, c, locale) for c, m in sorted(totals.items())),
            "client_link": f"{settings.public_url.rstrip('/')}/clients/{client.id}",
        }
        for user in owners:
            email = compose_account_notice(
                user=user,
                account=account,
                template_key=KIND,
                variables={"user_name": user.name, **variables},
                settings=settings,
            )
            queue_message(
                session,
                account_id=account.id,
                client_id=client.id,
                kind=KIND,
                template_key=KIND,
                to_email=user.email,
                email=email,
                clock=clock,
            )
        owed = f" with {count} open invoice{'s' if count != 1 else ''} ({variables['open_total']})" if count else ""
        notices.record(
            session,
            account_id=account.id,
            kind=KIND,
            message=f"{client.name} unsubscribed from payment reminders on {variables['unsubscribed_on']}{owed}: "
            "their automatic reminders stopped, so follow up in person.",
            clock=clock,
        )
        log.info("email.client_unsubscribed", account_id=account.id, client_id=client.id, open_invoices=count)
