"""The worker's look at promises: a promise whose date and grace days passed unpaid is missed.

Each tick, before the dispatcher, open promises past their date plus the account's grace are marked missed,
one invoice per short transaction under its row lock (a payment recorded at that moment makes it kept
instead), inside the send window the reminders keep. A missed promise queues the "promise missed" email,
which names the date the client gave, and chasing resumes: the latest step held back by the promise
follows FOLLOW_UP_DAYS later, so the client does not get two emails the same day. Kept promises are
marked by the invoice's paid event (service.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duespark.answers.schemas import AnswerKind, AnswerStatus
from duespark.clock import Clock, today_in
from duespark.db import transaction
from duespark.email.compose import compose_invoice_email
from duespark.email.service import delivery_target, is_suppressed, queue_message
from duespark.invoices.service import UNSETTLED, lock_invoice
from duespark.models import Account, Client, ClientAnswer, Invoice
from duespark.ops import metrics
from duespark.reminders.holds import place_hold
from duespark.reminders.policy import SendWindow
from duespark.settings import Settings

log = structlog.get_logger(__name__)

FOLLOW_UP_DAYS = 3
# Earth's timezones run up to 14 hours ahead of UTC: a promise can be past in one a day before UTC says so.
_AHEAD = timedelta(days=1)


@dataclass
class PromiseReview:
    missed: int = 0
    emailed: int = 0


def _past_due(session: Session, clock: Clock) -> list[int]:
    """Open promises whose date is past in some timezone; each is checked in its account's one after the lock."""
    latest = (clock.now() + _AHEAD).date()
    return list(
        session.scalars(
            select(ClientAnswer.id)
            .where(
                ClientAnswer.kind == AnswerKind.promise,
                ClientAnswer.status == AnswerStatus.open,
                ClientAnswer.promised_date < latest,
            )
            .order_by(ClientAnswer.promised_date, ClientAnswer.id)
        )
    )


def _paused(paused: bool, until: date | None, today: date) -> bool:
    return paused and (until is None or until > today)


def _may_mail(invoice: Invoice, client: Client, today: date) -> bool:
    """The email is part of chasing: not while the user or another answer (a dispute) stops it."""
    if invoice.reminders_excluded or (invoice.hold_kind is not None and invoice.hold_until is None):
        return False
    if _paused(invoice.reminders_paused, invoice.reminders_paused_until, today):
        return False
    if _paused(client.reminders_paused, client.reminders_paused_until, today):
        return False
    return client.email is not None and client.unsubscribed_at is None and client.deleted_at is None


def _queue_email(
    session: Session, *, answer: ClientAnswer, invoice: Invoice, account: Account, settings: Settings, clock: Clock
) -> bool:
    client = session.get(Client, invoice.client_id)
    assert client is not None and answer.promised_date is not None
    if not _may_mail(invoice, client, today_in(clock, account.timezone)) or is_suppressed(
        session, account.id, client.email or ""
    ):
        return False
    to_email, is_test = delivery_target(session, account=account, client_email=client.email)
    if not to_email:
        return False
    composed = compose_invoice_email(
        account=account,
        client=client,
        invoice=invoice,
        template_key="promise_missed",
        reminder_id=None,
        settings=settings,
        clock=clock,
        session=session,
        to=to_email,
        extra_dates={"promised_date": answer.promised_date},
    )
    queue_message(
        session,
        account_id=account.id,
        client_id=client.id,
        invoice_id=invoice.id,
        kind="promise_missed",
        template_key="promise_missed",
        to_email=to_email,
        email=composed.email,
        is_test=is_test,
        clock=clock,
    )
    return True


def _review_one(session: Session, answer_id: int, *, settings: Settings, clock: Clock, review: PromiseReview) -> None:
    account_id, invoice_id = session.execute(
        select(ClientAnswer.account_id, ClientAnswer.invoice_id).where(ClientAnswer.id == answer_id)
    ).one()
    invoice = lock_invoice(session, account_id=account_id, invoice_id=invoice_id)
    answer = session.scalars(
        select(ClientAnswer).where(ClientAnswer.id == answer_id).execution_options(populate_existing=True)
    ).one()
    account = session.get(Account, account_id)
    assert account is not None and answer.promised_date is not None
    today = today_in(clock, account.timezone)
    if answer.status != AnswerStatus.open or today <= answer.promised_date + timedelta(days=account.promise_grace_days):
        return
    if invoice.status not in UNSETTLED:
        return  # settled meanwhile: the paid or void event closes the answer
    client = session.get(Client, invoice.client_id)
    assert client is not None
    window = SendWindow(account.send_window_start, account.send_window_end, account.send_weekdays)
    if not window.contains(clock.now(), client.timezone or account.timezone):
        return  # the email goes in business hours like the reminders; until then the hold keeps chasing quiet
    answer.status = AnswerStatus.missed
    answer.resolved_at = clock.now()
    review.missed += 1
    metrics.record_promise("missed")
    if _queue_email(session, answer=answer, invoice=invoice, account=account, settings=settings, clock=clock):
        review.emailed += 1
        answer.resolution_note = f"Promise missed email queued on {today.isoformat()}"
        place_hold(session, invoice, kind=AnswerKind.promise, until=today + timedelta(days=FOLLOW_UP_DAYS), clock=clock)
    session.flush()


def review_promises(session_factory: sessionmaker[Session], *, settings: Settings, clock: Clock) -> PromiseReview:
    """Mark the promises past their date and grace as missed and queue their emails; the worker's tick calls it."""
    with transaction(session_factory, write=False) as session:
        candidates = _past_due(session, clock)
    review = PromiseReview()
    for answer_id in candidates:
        with transaction(session_factory) as session:
            _review_one(session, answer_id, settings=settings, clock=clock, review=review)
    if review.missed:
        log.info("answers.promises_missed", missed=review.missed, emailed=review.emailed)
    return review
