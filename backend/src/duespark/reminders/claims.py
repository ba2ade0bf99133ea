"""What the dispatcher carries between its steps: claimed rows, outcomes, stats, and the pure
rules it applies to them (statement groups, cancel reasons, pause ends, sent reasons)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.email.compose import TemplateCache
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendResult
from duespark.invoices.adjustments import LateFee
from duespark.models import Account, Client, Invoice, Membership, Reminder, User
from duespark.models.enums import InvoiceStatus, Role
from duespark.reminders.planner import PLANNABLE_STATUSES
from duespark.reminders.policy import zone
from duespark.reminders.tone import OVERDUE_TONES


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    canceled: int = 0
    deferred: int = 0
    skipped: int = 0
    recovered: int = 0
    uncertain: int = 0
    lost_leases: int = 0
    # Claimed, then given back unsent because the worker was asked to stop.
    released: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass
class Claimed:
    """A claimed row and what sending it needs, loaded inside the claiming transaction."""

    reminder: Reminder
    invoice: Invoice
    client: Client
    account: Account
    owner_email: str | None
    token: str
    # The late fee its email shows, worked out before composing; charged only once it is sent.
    late_fee: LateFee | None = None
    # Why the tone differs from the planned one (tone.choose_step), written on the sent row.
    tone_reason: tuple[str | None, str | None] = (None, None)


@dataclass(eq=False)
class Outgoing:
    """A composed email and the claimed rows it stands for (one, or several for a statement)."""

    items: list[Claimed]
    email: OutgoingEmail


@dataclass(eq=False)
class Sent:
    items: list[Claimed]
    email: OutgoingEmail
    result: SendResult


@dataclass(eq=False)
class Failed:
    """An email that was not sent: each of its rows is retried with backoff or fails."""

    items: list[Claimed]
    permanent: bool
    reason: str
    error: str
    email: OutgoingEmail | None = None  # a rejected email is recorded as a failed message


Outcome = Sent | Failed
# A claimed batch ready to send: its statement groups (one email each) and its accounts' templates.
ClaimedBatch = tuple[list[list[Claimed]], TemplateCache]


def merge_key(
    reminder: Reminder, invoice: Invoice, client: Client, account: Account, now: datetime
) -> tuple[int, int, date] | int:
    """The email a row goes in: the overdue rows of one client on the same local day share one
    statement (when the account merges statements); any other row is its own email. Overdue is
    judged on the day it is sent (an imported invoice's due-day step is overdue by then)."""
    day = now.astimezone(zone(client.timezone or account.timezone)).date()
    overdue = invoice.due_date < day and reminder.template_key in OVERDUE_TONES
    if account.merge_statements and overdue and not reminder.manual:
        return (account.id, client.id, day)
    return reminder.id


def statement_groups(items: list[Claimed], now: datetime) -> list[list[Claimed]]:
    """Claimed rows in sending order, with the overdue steps of one client due the same local day
    together (when the account merges statements): each group is one email."""
    groups: dict[tuple[int, int, date] | int, list[Claimed]] = {}
    for item in items:
        key = merge_key(item.reminder, item.invoice, item.client, item.account, now)
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def _sent_reason(item: Claimed, lead: Claimed, merged: int) -> tuple[str | None, str | None]:
    """What the timeline says about a sent row: merged into a statement, sent again after a crash."""
    if item is not lead:
        return (
            "merged_into_statement",
            f"Merged into one statement email with {merged - 1} other overdue "
            f"invoice{'s' if merged > 2 else ''} of this client (sent with reminder {lead.reminder.id}).",
        )
    if item.reminder.uncertain_sends:
        return (
            "sent_again_after_crash",
            "Sent again after a worker crash; the client may have received it twice "
            "(same Message-ID, so most mail programs show one).",
        )
    if merged > 1:
        return "statement", f"Sent as one statement listing {merged} overdue invoices."
    return item.tone_reason


def _cancel_reason(reminder: Reminder, invoice: Invoice, client: Client) -> str | None:
    """Why a claimed row must not be sent at all, re-read just before sending."""
    if invoice.status == InvoiceStatus.paid or (invoice.status in PLANNABLE_STATUSES and invoice.balance_minor <= 0):
        return "paid"
    if invoice.status == InvoiceStatus.void:
        return "void"
    if invoice.status not in PLANNABLE_STATUSES:
        return invoice.status
    if client.deleted_at is not None:
        return "client_deleted"
    if client.unsubscribed_at is not None:
        return "unsubscribed"
    if invoice.reminders_excluded:
        return "excluded"
    if invoice.reminders_paused and invoice.reminders_paused_until is None:
        return "paused"
    if client.reminders_paused and client.reminders_paused_until is None:
        return "client_paused"
    if invoice.hold_kind is not None and invoice.hold_until is None:
        return "on_hold"
    if reminder.due_date != invoice.due_date:
        return "due_date_changed"
    return None


def _pause_end(invoice: Invoice, client: Client, now: datetime, timezone: str) -> date | None:
    """The local date a pause with an end date still holding the row back ends on."""
    today = now.astimezone(zone(timezone)).date()
    ends = [
        until
        for paused, until in (
            (invoice.reminders_paused, invoice.reminders_paused_until),
            (client.reminders_paused, client.reminders_paused_until),
            (invoice.hold_kind is not None, invoice.hold_until),
        )
        if paused and until is not None and until > today
    ]
    if not ends:
        return None
    return max(ends)


def owner_emails(session: Session, account_ids: set[int]) -> dict[int, str]:
    """The owners' addresses of test-mode accounts: their test emails go there."""
    if not account_ids:
        return {}
    rows = session.execute(
        select(Membership.account_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id.in_(account_ids), Membership.role == Role.owner)
        .order_by(Membership.id.desc())
    ).all()
    return dict(rows)
