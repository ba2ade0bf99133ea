"""Volume guards: no flood of emails from one account, in test mode or live.

- Test mode sends at most `TEST_SAMPLES_PER_DAY` sample emails a day to the user's own address.
  Every other test-mode reminder is marked `skipped` with reason `test_mode_summary` (so it is
  never sent later in a burst) and counted in ONE summary email a day to the user: "Today 43,000
  reminders would have gone to 500 clients".
- Live, an account sends at most `send_budget_per_hour` / `send_budget_per_day` reminder emails
  (settings). A wave beyond the budget stays `pending` (reason `send_budget`) and goes out as the
  budget allows; the user is told once a day by email (the unusual-volume notice).

Emails are counted, not rows: the rows of one statement pass together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.compose import FALLBACK_FROM, new_message_id
from duespark.email.message import OutgoingEmail
from duespark.email.service import owner_email, queue_message
from duespark.models import Account, Invoice, Message, Reminder
from duespark.reminders.planner import ReminderState
from duespark.reminders.policy import zone
from duespark.settings import Settings

TEST_SAMPLES_PER_DAY = 3
TEST_SUMMARY = "test_mode_summary"
SEND_BUDGET = "send_budget"
SUMMARY_KIND = "test_summary"
NOTICE_KIND = "volume_notice"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

REASON_TEXT = {
    TEST_SUMMARY: "Test mode: not sent; counted in today's summary email to you instead.",
    SEND_BUDGET: "Held back: this account reached its sending limit; it goes out when the limit allows.",
}

SEND = "send"
HOLD = "hold"
SUMMARIZE = "summarize"


def day_start(now: datetime, timezone: str | None) -> datetime:
    """The start of the account's local day, as an aware instant."""
    local = now.astimezone(zone(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class VolumeGate:
    """One dispatcher run's counts per account: emails admitted, sample emails, held and summarized rows."""

    settings: Settings
    now: datetime
    hour: dict[int, int] = field(default_factory=dict)
    day: dict[int, int] = field(default_factory=dict)
    samples: dict[int, int] = field(default_factory=dict)
    admitted: set[object] = field(default_factory=set)
    held: dict[int, int] = field(default_factory=dict)
    summarized: dict[int, int] = field(default_factory=dict)

    def load(self, session: Session, accounts: list[Account]) -> None:
        """The emails each account sent in the last hour and day (live) or today (test samples)."""
        for account in accounts:
            if account.id in self.day:
                continue
            sent = select(func.count()).where(
                Message.account_id == account.id, Message.kind == "reminder", Message.sent_at.is_not(None)
            )
            if account.test_mode:
                since = day_start(self.now, account.timezone)
                self.samples[account.id] = session.scalar(
                    sent.where(Message.is_test.is_(True), Message.sent_at >= since)
                )
                self.hour[account.id] = self.day[account.id] = 0
            else:
                live = sent.where(Message.is_test.is_(False))
                self.hour[account.id] = session.scalar(live.where(Message.sent_at >= self.now - HOUR))
                self.day[account.id] = session.scalar(live.where(Message.sent_at >= self.now - DAY))

    def decide(self, account: Account, email_key: object) -> tuple[str, datetime | None]:
        """send, hold (until when) or summarize a row that would be part of the email `email_key`."""
        if email_key in self.admitted:
            return SEND, None
        if account.test_mode:
            if self.samples.get(account.id, 0) >= TEST_SAMPLES_PER_DAY:
                self.summarized[account.id] = self.summarized.get(account.id, 0) + 1
                return SUMMARIZE, None
            self.samples[account.id] = self.samples.get(account.id, 0) + 1
        else:
            if self.day[account.id] >= self.settings.send_budget_per_day:
                self.held[account.id] = self.held.get(account.id, 0) + 1
                return HOLD, self.now + HOUR
            if self.hour[account.id] >= self.settings.send_budget_per_hour:
                self.held[account.id] = self.held.get(account.id, 0) + 1
                return HOLD, self.now + timedelta(minutes=10)
            self.hour[account.id] += 1
            self.day[account.id] += 1
        self.admitted.add(email_key)
        return SEND, None

    def hold_detail(self) -> str:
        return (
            f"Held back: this account reached its limit of {self.settings.send_budget_per_hour} reminder emails "
            f"an hour or {self.settings.send_budget_per_day} a day; it goes out when the limit allows."
        )


SUMMARY_DETAIL = (
    f"Test mode: not sent; DueSpark sends at most {TEST_SAMPLES_PER_DAY} sample emails a day in test mode "
    "and counted this one in today's summary email to you."
)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _account_email(settings: Settings, account: Account, kind: str, to: str, subject: str, text: str) -> OutgoingEmail:
    from_email = settings.email_from or FALLBACK_FROM
    return OutgoingEmail(
        to=to,
        from_email=from_email,
        from_name="DueSpark",
        subject=subject,
        text=text,
        headers={"Message-ID": new_message_id(from_email), "Auto-Submitted": "auto-generated"},
        tag=kind,
        metadata={"account_id": str(account.id)},
    )


def _queued_today(session: Session, account: Account, kind: str, now: datetime) -> bool:
    return (
        session.scalar(
            select(func.count()).where(
                Message.account_id == account.id,
                Message.kind == kind,
                Message.created_at >= day_start(now, account.timezone),
            )
        )
        > 0
    )


def test_mode_today(session: Session, account: Account, now: datetime) -> tuple[int, int]:
    """Test-mode reminders handled today (samples sent and summarized) and the clients they were for."""
    since = day_start(now, account.timezone)
    row = session.execute(
        select(func.count(), func.count(distinct(Invoice.client_id)))
        .select_from(Reminder)
        .join(Invoice, Invoice.id == Reminder.invoice_id)
        .where(
            Reminder.account_id == account.id,
            Reminder.is_test.is_(True),
            Reminder.updated_at >= since,
            (Reminder.state == ReminderState.sent) | (Reminder.reason == TEST_SUMMARY),
        )
    ).one()
    return int(row[0]), int(row[1])


def queue_notices(session: Session, gate: VolumeGate, *, settings: Settings, clock: Clock) -> int:
    """After a run: the day's test-mode summary and the unusual-volume notice, each at most once a
    day per account, queued for the outbox. Returns how many were queued."""
    now = clock.now()
    queued = 0
    for account_id in sorted({*gate.summarized, *gate.held}):
        account = session.get(Account, account_id)
        if account is None:
            continue
        to = owner_email(session, account.id) or account.sender_email
        if not to:
            continue
        if account_id in gate.summarized and not _queued_today(session, account, SUMMARY_KIND, now):
            reminders, clients = test_mode_today(session, account, now)
            subject = (
                f"Test mode: today {_plural(reminders, 'reminder')} would have gone to {_plural(clients, 'client')}"
            )
            text = (
                f"Hello,\n\nDueSpark is in test mode, so no client received anything. Today "
                f"{_plural(reminders, 'reminder')} would have gone to {_plural(clients, 'client')}.\n\n"
                f"You received at most {TEST_SAMPLES_PER_DAY} of them as samples; the others are marked "
                f'"counted in the test-mode summary" in the reminder list and will not be sent.\n\n'
                "When you go live, clients receive their reminders from the next step on.\n"
            )
            email = _account_email(settings, account, SUMMARY_KIND, to, subject, text)
            queue_message(session, account_id=account.id, kind=SUMMARY_KIND, to_email=to, email=email, clock=clock)
            queued += 1
        if account_id in gate.held and not _queued_today(session, account, NOTICE_KIND, now):
            held = session.scalar(
                select(func.count()).where(
                    Reminder.account_id == account.id,
                    Reminder.state == ReminderState.pending,
                    Reminder.reason == SEND_BUDGET,
                )
            )
            subject = f"Unusual volume: {_plural(held, 'reminder')} held back"
            text = (
                f"Hello,\n\nYour account is about to send more reminder emails than its limit of "
                f"{settings.send_budget_per_hour:,} an hour and {settings.send_budget_per_day:,} a day. "
                f"{_plural(held, 'reminder')} are held back and go out as the limit allows, none is lost.\n\n"
                "If this is not what you expected (for example after an import), pause reminders or the "
                "affected clients in DueSpark now. To send more, ask your administrator to raise "
                "DUESPARK_SEND_BUDGET_PER_HOUR and DUESPARK_SEND_BUDGET_PER_DAY.\n"
            )
            email = _account_email(settings, account, NOTICE_KIND, to, subject, text)
            queue_message(session, account_id=account.id, kind=NOTICE_KIND, to_email=to, email=email, clock=clock)
            queued += 1
    return queued
