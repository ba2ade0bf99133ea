"""The daily digest: who gets it, their preferences, and the facts of one member's local day.

The facts are plain data (counts, minor units, names); compose.py words them in the member's language.
"Yesterday" and "today" are the member's local calendar days, turned into UTC instants at the edges.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from duespark.answers.schemas import AnswerKind, AnswerStatus
from duespark.clock import Clock
from duespark.digest.schemas import DigestPreferences, DigestPreferencesIn
from duespark.email.service import CLIENT_KINDS
from duespark.email.templates import normalize_locale
from duespark.errors import InvalidInput
from duespark.models import (
    Account,
    Client,
    ClientAnswer,
    DigestPreference,
    InboundMessage,
    Invoice,
    Membership,
    Message,
    Payment,
    Reminder,
    User,
)

DEFAULT_HOUR = 7
# Items named per section; the count says how many more there are.
TOP_ITEMS = 5


# --- who receives it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    account: Account
    user: User
    send_hour: int
    timezone: str
    locale: str
    # When the user joined the account: the first digest is the first send hour after it, so someone who
    # signs up or accepts an invitation mid-morning is not greeted by a digest of a day they were not in.
    joined_at: datetime

    def send_time(self, local_date: date) -> datetime:
        """The instant of `local_date`'s digest in the member's timezone."""
        return datetime.combine(local_date, time(self.send_hour), tzinfo=ZoneInfo(self.timezone))


def _valid_timezone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _recipient(account: Account, user: User, pref: DigestPreference | None, joined_at: datetime) -> Recipient:
    return Recipient(
        account=account,
        user=user,
        send_hour=pref.send_hour if pref else DEFAULT_HOUR,
        timezone=_valid_timezone(pref and pref.timezone) or _valid_timezone(account.timezone) or "UTC",
        locale=(pref and pref.locale) or account.locale or "en",
        joined_at=joined_at,
    )


def recipients(session: Session, *, account_id: int | None = None, user_id: int | None = None) -> list[Recipient]:
    """Who receives the digest: members of the account (of every account when None) whose user is
    active and did not turn it off. The one place that decides it, so team roles can narrow it."""
    stmt = (
        select(Account, User, DigestPreference, Membership.created_at)
        .join(Membership, Membership.account_id == Account.id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            DigestPreference,
            (DigestPreference.account_id == Account.id) & (DigestPreference.user_id == User.id),
        )
        .where(User.is_active.is_(True), DigestPreference.enabled.is_not(False))
        .order_by(Account.id, Membership.id)
    )
    if account_id is not None:
        stmt = stmt.where(Account.id == account_id)
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    return [_recipient(*row) for row in session.execute(stmt)]


def member(session: Session, *, account_id: int, user: User) -> Recipient:
    """The member as the digest sees them (their hour, timezone, language), whether or not they opted out."""
    account = session.get(Account, account_id)
    joined_at = session.scalar(
        select(Membership.created_at).where(Membership.account_id == account_id, Membership.user_id == user.id)
    )
    assert account is not None and joined_at is not None
    return _recipient(account, user, _preference(session, account_id=account_id, user_id=user.id), joined_at)


# --- preferences --------------------------------------------------------------------------------


def _preference(session: Session, *, account_id: int, user_id: int) -> DigestPreference | None:
    return session.scalars(
        select(DigestPreference).where(DigestPreference.account_id == account_id, DigestPreference.user_id == user_id)
    ).first()


def get_preferences(session: Session, *, account_id: int, user: User) -> DigestPreferences:
    pref = _preference(session, account_id=account_id, user_id=user.id)
    resolved = member(session, account_id=account_id, user=user)
    return DigestPreferences(
        enabled=pref.enabled if pref else True,
        send_hour=resolved.send_hour,
        timezone=pref.timezone if pref else None,
        locale=pref.locale if pref else None,
        effective_timezone=resolved.timezone,
        effective_locale=resolved.locale,
    )


def put_preferences(
    session: Session, *, account_id: int, user: User, data: DigestPreferencesIn, clock: Clock
) -> DigestPreferences:
    if data.timezone is not None and _valid_timezone(data.timezone) is None:
        raise InvalidInput("timezone", f"Unknown timezone {data.timezone!r}; use an IANA name such as Europe/Berlin")
    locale = None
    if data.locale is not None:
        locale = normalize_locale(data.locale)
        if locale is None:
            raise InvalidInput("locale", f"Unknown language {data.locale!r}; use a code such as de or fr_FR")
    now = clock.now()
    pref = _preference(session, account_id=account_id, user_id=user.id)
    if pref is None:
        pref = DigestPreference(account_id=account_id, user_id=user.id, created_at=now)
        session.add(pref)
    pref.enabled = data.enabled
    pref.send_hour = data.send_hour
    pref.timezone = data.timezone
    pref.locale = locale
    pref.updated_at = now
    session.flush()
    return get_preferences(session, account_id=account_id, user=user)


# --- the facts of a day -------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a section: what it is about, and the app page that shows it."""

    client_name: str
    invoice_number: str | None
    invoice_id: int | None
    amount_minor: int | None = None
    currency: str | None = None
    detail: str | None = None
    client_id: int | None = None


@dataclass(frozen=True)
class Section:
    count: int
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class DigestFacts:
    account_id: int
    user_id: int
    local_date: date
    yesterday: date
    # Reminder emails sent yesterday per tone (the template: friendly, firm, statement, ...).
    sent_by_tone: dict[str, int] = field(default_factory=dict)
    paid: Section = Section(0)
    # Money received yesterday per currency (refunds subtract).
    paid_totals: dict[str, int] = field(default_factory=dict)
    failed: Section = Section(0)
    unanswered_replies: Section = Section(0)
    open_disputes: Section = Section(0)
    paid_claims: Section = Section(0)
    promises_due_today: Section = Section(0)
    promises_missed: Section = Section(0)
    planned_reminders: int = 0
    planned_clients: int = 0

    @property
    def sent_total(self) -> int:
        return sum(self.sent_by_tone.values())

    @property
    def attention_count(self) -> int:
        sections = (
            self.unanswered_replies,
            self.open_disputes,
            self.paid_claims,
            self.promises_due_today,
            self.promises_missed,
        )
        return sum(s.count for s in sections)

    @property
    def is_empty(self) -> bool:
        return not (
            self.sent_total or self.paid.count or self.failed.count or self.attention_count or self.planned_reminders
        )


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and the next one starts (DST-aware)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _section(session: Session, stmt: Select, to_item) -> Section:
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if not count:
        return Section(0)
    return Section(count, tuple(to_item(row) for row in session.execute(stmt.limit(TOP_ITEMS))))


def _invoice_item(row) -> Item:
    invoice, client = row[0], row[1]
    return Item(client.name, invoice.number, invoice.id, invoice.balance_minor, invoice.currency, client_id=client.id)


def _answers(account_id: int, *conditions) -> Select:
    return (
        select(Invoice, Client, ClientAnswer)
        .join(ClientAnswer, ClientAnswer.invoice_id == Invoice.id)
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.account_id == account_id, ClientAnswer.account_id == account_id, *conditions)
        .order_by(ClientAnswer.created_at, ClientAnswer.id)
    )


def gather(session: Session, *, account_id: int, user_id: int, timezone: str, local_date: date) -> DigestFacts:
    """What one member's digest of `local_date` says about the account: yesterday's sending, payments and
    failures, what waits for them now, and what goes out today."""
    yesterday = local_date - timedelta(days=1)
    y_start, y_end = day_bounds(yesterday, timezone)
    t_start, t_end = day_bounds(local_date, timezone)

    sent_by_tone = dict(
        session.execute(
            select(Message.template_key, func.count())
            .where(Message.account_id == account_id, Message.kind == "reminder")
            .where(Message.sent_at >= y_start, Message.sent_at < y_end)
            .group_by(Message.template_key)
        ).all()
    )

    payments = (
        select(Invoice, Client, Payment)
        .join(Payment, Payment.invoice_id == Invoice.id)
        .join(Client, Client.id == Invoice.client_id)
        .where(Payment.account_id == account_id, Invoice.account_id == account_id)
        .where(Payment.paid_at >= y_start, Payment.paid_at < y_end)
        .order_by(Payment.amount_minor.desc(), Payment.id)
    )
    paid = _section(
        session,
        payments,
        lambda row: Item(row[1].name, row[0].number, row[0].id, row[2].amount_minor, row[2].currency),
    )
    totals: Counter[str] = Counter()
    for currency, total in session.execute(
        select(Payment.currency, func.sum(Payment.amount_minor))
        .where(Payment.account_id == account_id, Payment.paid_at >= y_start, Payment.paid_at < y_end)
        .group_by(Payment.currency)
    ):
        totals[currency] = int(total or 0)

    # Client emails that bounced yesterday, and reminders that failed for good yesterday.
    bounced = (
        select(Message, Client, Invoice)
        .outerjoin(Client, Client.id == Message.client_id)
        .outerjoin(Invoice, Invoice.id == Message.invoice_id)
        .where(Message.account_id == account_id, Message.kind.in_(CLIENT_KINDS))
        .where(Message.bounced_at >= y_start, Message.bounced_at < y_end)
        .order_by(Message.bounced_at, Message.id)
    )
    failed_reminders = (
        select(Reminder, Client, Invoice)
        .join(Invoice, Invoice.id == Reminder.invoice_id)
        .join(Client, Client.id == Invoice.client_id)
        .where(Reminder.account_id == account_id, Invoice.account_id == account_id, Reminder.state == "failed")
        .where(Reminder.updated_at >= y_start, Reminder.updated_at < y_end)
        .order_by(Reminder.updated_at, Reminder.id)
    )
    bounced_section = _section(
        session,
        bounced,
        lambda row: Item(
            row[1].name if row[1] else row[0].to_email,
            row[2].number if row[2] else None,
            row[2].id if row[2] else None,
            detail="bounced",
            client_id=row[1].id if row[1] else None,
        ),
    )
    failed_section = _section(
        session,
        failed_reminders,
        lambda row: Item(row[1].name, row[2].number, row[2].id, detail="failed", client_id=row[1].id),
    )
    failed = Section(
        bounced_section.count + failed_section.count, (bounced_section.items + failed_section.items)[:TOP_ITEMS]
    )

    replies = (
        select(InboundMessage, Client)
        .outerjoin(Client, Client.id == InboundMessage.client_id)
        .where(
            InboundMessage.account_id == account_id,
            InboundMessage.kind == "reply",
            InboundMessage.answered_at.is_(None),
        )
        .order_by(InboundMessage.received_at, InboundMessage.id)
    )
    unanswered = _section(
        session,
        replies,
        lambda row: Item(
            row[1].name if row[1] else (row[0].from_name or row[0].from_email),
            None,
            row[0].invoice_id,
            detail=row[0].subject,
            client_id=row[1].id if row[1] else None,
        ),
    )

    open_row = ClientAnswer.status == AnswerStatus.open
    disputes = _section(session, _answers(account_id, open_row, ClientAnswer.kind == AnswerKind.dispute), _invoice_item)
    claims = _section(
        session, _answers(account_id, open_row, ClientAnswer.kind == AnswerKind.paid_claim), _invoice_item
    )
    due_today = _section(
        session,
        _answers(
            account_id, open_row, ClientAnswer.kind == AnswerKind.promise, ClientAnswer.promised_date == local_date
        ),
        _invoice_item,
    )
    missed = _section(
        session,
        _answers(
            account_id,
            ClientAnswer.kind == AnswerKind.promise,
            ClientAnswer.status == AnswerStatus.missed,
            ClientAnswer.resolved_at >= y_start,
            ClientAnswer.resolved_at < y_end,
        ),
        _invoice_item,
    )

    planned = session.execute(
        select(func.count(), func.count(func.distinct(Invoice.client_id)))
        .select_from(Reminder)
        .join(Invoice, Invoice.id == Reminder.invoice_id)
        .where(Reminder.account_id == account_id, Invoice.account_id == account_id, Reminder.state == "pending")
        .where(Reminder.scheduled_for >= t_start, Reminder.scheduled_for < t_end)
    ).one()

    return DigestFacts(
        account_id=account_id,
        user_id=user_id,
        local_date=local_date,
        yesterday=yesterday,
        sent_by_tone={str(k): int(v) for k, v in sent_by_tone.items()},
        paid=paid,
        paid_totals=dict(sorted(totals.items())),
        failed=failed,
        unanswered_replies=unanswered,
        open_disputes=disputes,
        paid_claims=claims,
        promises_due_today=due_today,
        promises_missed=missed,
        planned_reminders=int(planned[0]),
        planned_clients=int(planned[1]),
    )


def local_date_of(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()
