"""Clients' answers about an invoice (promise to pay, dispute, "already paid") and the user's decisions on them.

A client answers from the invoice's signed pay link; the answer is stored and holds chasing through the
invoice's hold (reminders/holds.py): a promise until the day after its date plus the account's grace days, a
dispute until the user resolves it, "already paid" for the account's check days. Every change takes the
invoice's row lock first (invoices.service.lock_invoice) and only then reads the answers, so a repeat or two
requests at the same moment find the answer the first one made (invariant 11). The unique index on open
answers (invoice, kind) backs that up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from duespark.answers.schemas import (
    AnswerKind,
    AnswerOut,
    AnswerSettings,
    AnswerSettingsIn,
    AnswerStatus,
    AttentionOut,
    AttentionSection,
    ClientPromiseRecord,
    CurrencyAmount,
)
from duespark.clock import Clock, today_in
from duespark.errors import Conflict, InvalidInput, NotFound
from duespark.invoices.events import InvoiceChange
from duespark.invoices.service import UNSETTLED, apply_payment, lock_invoice
from duespark.models import Account, Client, ClientAdaptation, ClientAnswer, Invoice
from duespark.money import MoneyError, format_amount, parse_amount
from duespark.ops import metrics
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders.adaptive import COURTESY_SKIPPED
from duespark.reminders.holds import place_hold, release_hold
from duespark.tenancy import get_owned, scoped

MAX_MESSAGE_CHARS = 2000
MAX_REFERENCE_CHARS = 200
# A payment the client says they made more than a year ago is a typo, not a claim.
PAID_ON_MAX_AGE_DAYS = 366
# The user may move a promise further than the client could, but not past a year.
MAX_EXTEND_DAYS = 365
SOURCES = ("pay_page", "portal")
ATTENTION_WEEK = timedelta(days=7)
ATTENTION_ITEMS = 50


def _clean(value: str | None, *, field: str, limit: int, multiline: bool) -> str | None:
    """Client text as typed, minus control characters (line breaks kept where a message allows them)."""
    if value is None:
        return None
    kept = "".join(ch for ch in value if ch.isprintable() or (multiline and ch == "\n") or ch == " ").strip()
    if len(kept) > limit:
        raise InvalidInput(field, f"Please keep this under {limit} characters")
    return kept or None


def _parse_day(value: str | None, *, field: str) -> date:
    if not value or not value.strip():
        raise InvalidInput(field, "Please give a date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, "Please give a date as YYYY-MM-DD") from None


def _parse_disputed(value: str | None, invoice: Invoice) -> int | None:
    if not value or not value.strip():
        return None
    text = value.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 120,50 as written in much of Europe
    try:
        minor = parse_amount(text, invoice.currency)
    except MoneyError as exc:
        raise InvalidInput("disputed_amount", str(exc)) from None
    if minor > invoice.total_minor:
        raise InvalidInput("disputed_amount", "The disputed amount is more than the invoice")
    return minor


def hold_end(answer: ClientAnswer, account: Account) -> date | None:
    """The first day chasing may resume because of this answer (None: not until the user decides)."""
    if answer.kind == AnswerKind.promise:
        assert answer.promised_date is not None
        return answer.promised_date + timedelta(days=account.promise_grace_days + 1)
    if answer.kind == AnswerKind.paid_claim:
        created = answer.created_at.astimezone(ZoneInfo(account.timezone)).date()
        return created + timedelta(days=account.paid_claim_hold_days)
    return None


def _open_answers(session: Session, invoice_id: int) -> list[ClientAnswer]:
    return list(
        session.scalars(
            select(ClientAnswer)
            .where(ClientAnswer.invoice_id == invoice_id, ClientAnswer.status == AnswerStatus.open)
            .order_by(ClientAnswer.id)
            .execution_options(populate_existing=True)
        )
    )


def _hold_again(session: Session, invoice: Invoice, account: Account, clock: Clock) -> None:
    """After a hold ended, the answers still open hold chasing again (the strongest wins, holds.py)."""
    for answer in _open_answers(session, invoice.id):
        place_hold(session, invoice, kind=answer.kind, until=hold_end(answer, account), clock=clock)


def _end_hold(session: Session, invoice: Invoice, account: Account, kind: str, clock: Clock) -> None:
    if release_hold(session, invoice, kind=kind, clock=clock):
        _hold_again(session, invoice, account, clock)


# --- the client's side (a signed pay link, no sign-in) --------------------------------------------


def answer_from_link(
    session: Session, *, invoice_id: int, kind: str, form: Mapping[str, str], source: str, clock: Clock
) -> ClientAnswer:
    """Record a client's answer about the invoice their link names; a repeat returns the answer already open.

    `invoice_id` comes from the verified token only. Raises InvalidInput naming the field, or Conflict when
    the invoice can no longer be answered (paid or void).
    """
    if kind not in AnswerKind.__members__:
        raise NotFound("Action")
    account_id = session.scalar(select(Invoice.account_id).where(Invoice.id == invoice_id))
    if account_id is None:
        raise NotFound("Invoice")
    invoice = lock_invoice(session, account_id=account_id, invoice_id=invoice_id)
    if invoice.status not in UNSETTLED or invoice.balance_minor <= 0:
        raise Conflict("This invoice is no longer open")
    for existing in _open_answers(session, invoice.id):
        if existing.kind == kind:
            return existing
    account = session.get(Account, invoice.account_id)
    assert account is not None
    today = today_in(clock, account.timezone)
    answer = ClientAnswer(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        client_id=invoice.client_id,
        kind=kind,
        status=AnswerStatus.open,
        source=source if source in SOURCES else "pay_page",
        created_at=clock.now(),
    )
    if kind == AnswerKind.promise:
        promised = _parse_day(form.get("promised_date"), field="promised_date")
        if promised < today:
            raise InvalidInput("promised_date", "The date has passed; please choose today or a later day")
        latest = today + timedelta(days=account.promise_limit_days)
        if promised > latest:
            raise InvalidInput(
                "promised_date", f"Please choose a date within {account.promise_limit_days} days (by {latest})"
            )
        answer.promised_date = promised
        answer.message = _clean(form.get("message"), field="message", limit=MAX_MESSAGE_CHARS, multiline=True)
    elif kind == AnswerKind.dispute:
        answer.message = _clean(form.get("message"), field="message", limit=MAX_MESSAGE_CHARS, multiline=True)
        if answer.message is None:
            raise InvalidInput("message", "Please say what is wrong or what you would like to ask")
        answer.disputed_minor = _parse_disputed(form.get("disputed_amount"), invoice)
    else:
        paid_on = _parse_day(form.get("paid_on"), field="paid_on")
        if paid_on > today:
            raise InvalidInput("paid_on", "The payment date cannot be in the future")
        if paid_on < today - timedelta(days=PAID_ON_MAX_AGE_DAYS):
            raise InvalidInput("paid_on", "The payment date is more than a year ago")
        answer.paid_on = paid_on
        answer.reference = _clean(form.get("reference"), field="reference", limit=MAX_REFERENCE_CHARS, multiline=False)
        answer.message = _clean(form.get("message"), field="message", limit=MAX_MESSAGE_CHARS, multiline=True)
    session.add(answer)
    session.flush()
    # Before the hold, so a receiver hears of the answer before the reminders it cancels.
    outgoing_webhooks.client_answered(session, answer, invoice, clock)
    place_hold(session, invoice, kind=kind, until=hold_end(answer, account), clock=clock)
    if kind == AnswerKind.promise:
        metrics.record_promise("made")
    return answer


def open_answers_for(session: Session, *, invoice_id: int) -> list[ClientAnswer]:
    """What the pay page shows back to the client: the answers of theirs still open."""
    return list(
        session.scalars(
            select(ClientAnswer)
            .where(ClientAnswer.invoice_id == invoice_id, ClientAnswer.status == AnswerStatus.open)
            .order_by(ClientAnswer.id)
        )
    )


# --- the user's side ----------------------------------------------------------------------------


def _out(answer: ClientAnswer, invoice: Invoice, client_name: str) -> AnswerOut:
    return AnswerOut(
        id=answer.id,
        invoice_id=answer.invoice_id,
        invoice_number=invoice.number,
        client_id=answer.client_id,
        client_name=client_name,
        kind=AnswerKind(answer.kind),
        status=AnswerStatus(answer.status),
        source=answer.source,
        promised_date=answer.promised_date,
        disputed_amount=format_amount(answer.disputed_minor, invoice.currency)
        if answer.disputed_minor is not None
        else None,
        currency=invoice.currency,
        balance=format_amount(invoice.balance_minor, invoice.currency),
        message=answer.message,
        paid_on=answer.paid_on,
        reference=answer.reference,
        created_at=answer.created_at,
        resolved_at=answer.resolved_at,
        resolved_by=answer.resolved_by,
        resolution_note=answer.resolution_note,
    )


def _rows(session: Session, stmt) -> list[AnswerOut]:
    return [_out(answer, invoice, name) for answer, invoice, name in session.execute(stmt)]


def _joined(account_id: int):
    return (
        select(ClientAnswer, Invoice, Client.name)
        .join(Invoice, Invoice.id == ClientAnswer.invoice_id)
        .join(Client, Client.id == ClientAnswer.client_id)
        .where(ClientAnswer.account_id == account_id, Invoice.account_id == account_id)
    )


def list_answers(
    session: Session, *, account_id: int, invoice_id: int | None = None, status: str | None = None, limit: int = 200
) -> list[AnswerOut]:
    stmt = _joined(account_id)
    if invoice_id is not None:
        get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
        stmt = stmt.where(ClientAnswer.invoice_id == invoice_id)
    if status is not None:
        stmt = stmt.where(ClientAnswer.status == status)
    return _rows(session, stmt.order_by(ClientAnswer.created_at.desc(), ClientAnswer.id.desc()).limit(limit))


def get_answer(session: Session, *, account_id: int, answer_id: int) -> AnswerOut:
    rows = _rows(session, _joined(account_id).where(ClientAnswer.id == answer_id))
    if not rows:
        raise NotFound("Answer")
    return rows[0]


def _locked_answer(
    session: Session, *, account_id: int, answer_id: int, kind: AnswerKind
) -> tuple[ClientAnswer, Invoice, Account]:
    """The answer re-read under its invoice's row lock, so what is checked is what the last writer left."""
    invoice_id = session.scalar(
        scoped(ClientAnswer, account_id, ClientAnswer.invoice_id).where(
            ClientAnswer.id == answer_id, ClientAnswer.kind == kind
        )
    )
    if invoice_id is None:
        raise NotFound("Answer")
    invoice = lock_invoice(session, account_id=account_id, invoice_id=invoice_id)
    answer = session.scalars(
        select(ClientAnswer).where(ClientAnswer.id == answer_id).execution_options(populate_existing=True)
    ).one()
    account = session.get(Account, account_id)
    assert account is not None
    return answer, invoice, account


def _close(answer: ClientAnswer, status: AnswerStatus, *, user_id: int | None, note: str | None, clock: Clock) -> None:
    answer.status = status
    answer.resolved_at = clock.now()
    answer.resolved_by = user_id
    answer.resolution_note = note


def _decide(
    session: Session,
    *,
    account_id: int,
    answer_id: int,
    kind: AnswerKind,
    to: AnswerStatus,
    user_id: int,
    note: str | None,
    clock: Clock,
) -> tuple[ClientAnswer, Invoice, Account] | None:
    """Close an open answer as `to`; None when it already is (a repeat), Conflict when decided otherwise."""
    answer, invoice, account = _locked_answer(session, account_id=account_id, answer_id=answer_id, kind=kind)
    if answer.status == to:
        return None
    if answer.status != AnswerStatus.open:
        raise Conflict(f"This answer is already {answer.status}")
    _close(answer, to, user_id=user_id, note=note, clock=clock)
    session.flush()
    return answer, invoice, account


def resolve_dispute(
    session: Session, *, account_id: int, answer_id: int, user_id: int, note: str | None, clock: Clock
) -> AnswerOut:
    """The user settled the dispute: chasing resumes (only the latest missed step goes, as after any pause)."""
    return _close_and_resume(
        session,
        account_id=account_id,
        answer_id=answer_id,
        kind=AnswerKind.dispute,
        to=AnswerStatus.resolved,
        user_id=user_id,
        note=note,
        clock=clock,
    )


def _close_and_resume(
    session: Session,
    *,
    account_id: int,
    answer_id: int,
    kind: AnswerKind,
    to: AnswerStatus,
    user_id: int,
    note: str | None,
    clock: Clock,
) -> AnswerOut:
    """Close an open answer as `to` and end the hold it placed (re-placing another open answer's)."""
    decided = _decide(
        session,
        account_id=account_id,
        answer_id=answer_id,
        kind=kind,
        to=to,
        user_id=user_id,
        note=note,
        clock=clock,
    )
    if decided is not None:
        _answer, invoice, account = decided
        _end_hold(session, invoice, account, kind, clock)
    return get_answer(session, account_id=account_id, answer_id=answer_id)


def _paid_at(answer: ClientAnswer, account: Account, clock: Clock) -> datetime:
    """The claimed payment day as an instant (noon in the account's timezone), never later than now."""
    assert answer.paid_on is not None
    noon = datetime.combine(answer.paid_on, time(12), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)
    return min(noon, clock.now())


def confirm_paid_claim(session: Session, *, account_id: int, answer_id: int, user_id: int, clock: Clock) -> AnswerOut:
    """The money arrived: record what is still owed as a payment on the claimed day, with the client's reference.

    Under the invoice's lock: a payment recorded meanwhile (a card, a second confirm) is seen here, so the
    invoice is never paid twice; what is left, if anything, is recorded.
    """
    decided = _decide(
        session,
        account_id=account_id,
        answer_id=answer_id,
        kind=AnswerKind.paid_claim,
        to=AnswerStatus.confirmed,
        user_id=user_id,
        note=None,
        clock=clock,
    )
    if decided is not None:
        answer, invoice, account = decided
        if invoice.status in UNSETTLED and invoice.balance_minor > 0:
            apply_payment(
                session,
                invoice=invoice,
                amount_minor=invoice.balance_minor,
                method="manual",
                paid_at=_paid_at(answer, account, clock),
                clock=clock,
                external_reference=answer.reference,
                note="Confirmed from the client's answer that they had paid",
            )
        else:
            answer.resolution_note = "The invoice was already settled; nothing more was recorded"
        release_hold(session, invoice, kind=AnswerKind.paid_claim, clock=clock)
    return get_answer(session, account_id=account_id, answer_id=answer_id)


def close_paid_claims(session: Session, *, invoice: Invoice, user_id: int | None, note: str, clock: Clock) -> int:
    """A payment matched elsewhere (a bank statement) answers the client's "already paid": confirmed, hold ended.

    Call under the invoice's row lock, after the payment was recorded (a payment in full has closed them already)."""
    claims = [a for a in _open_answers(session, invoice.id) if a.kind == AnswerKind.paid_claim]
    for claim in claims:
        _close(claim, AnswerStatus.confirmed, user_id=user_id, note=note, clock=clock)
    if claims:
        session.flush()
        account = session.get(Account, invoice.account_id)
        assert account is not None
        _end_hold(session, invoice, account, AnswerKind.paid_claim, clock)
    return len(claims)


def reject_paid_claim(
    session: Session, *, account_id: int, answer_id: int, user_id: int, note: str | None, clock: Clock
) -> AnswerOut:
    """No such payment arrived: chasing resumes."""
    return _close_and_resume(
        session,
        account_id=account_id,
        answer_id=answer_id,
        kind=AnswerKind.paid_claim,
        to=AnswerStatus.rejected,
        user_id=user_id,
        note=note,
        clock=clock,
    )


def cancel_promise(session: Session, *, account_id: int, answer_id: int, user_id: int, clock: Clock) -> AnswerOut:
    """The user no longer waits for the promised date: chasing resumes now."""
    decided = _decide(
        session,
        account_id=account_id,
        answer_id=answer_id,
        kind=AnswerKind.promise,
        to=AnswerStatus.canceled,
        user_id=user_id,
        note=None,
        clock=clock,
    )
    if decided is not None:
        _answer, invoice, account = decided
        _end_hold(session, invoice, account, AnswerKind.promise, clock)
        metrics.record_promise("canceled")
    return get_answer(session, account_id=account_id, answer_id=answer_id)


def extend_promise(
    session: Session, *, account_id: int, answer_id: int, promised_date: date, clock: Clock
) -> AnswerOut:
    """The user agreed to a later date: the hold moves with it."""
    answer, invoice, account = _locked_answer(
        session, account_id=account_id, answer_id=answer_id, kind=AnswerKind.promise
    )
    if answer.status != AnswerStatus.open:
        raise Conflict(f"This promise is already {answer.status}")
    assert answer.promised_date is not None
    today = today_in(clock, account.timezone)
    if promised_date <= answer.promised_date or promised_date < today:
        raise InvalidInput("promised_date", "An extension must be later than the promised date and not in the past")
    if promised_date > today + timedelta(days=MAX_EXTEND_DAYS):
        raise InvalidInput("promised_date", f"Please choose a date within {MAX_EXTEND_DAYS} days")
    answer.promised_date = promised_date
    session.flush()
    place_hold(session, invoice, kind=AnswerKind.promise, until=hold_end(answer, account), clock=clock)
    return get_answer(session, account_id=account_id, answer_id=answer_id)


# --- reacting to the invoice --------------------------------------------------------------------


def on_invoice_change(session: Session, change: InvoiceChange, invoice_ids: Sequence[int], clock: Clock) -> None:
    """Paid in full: an open promise was kept and a claim of payment was right. Void: nothing is left to answer."""
    if change not in (InvoiceChange.paid, InvoiceChange.voided):
        return
    answers = session.scalars(
        select(ClientAnswer).where(ClientAnswer.invoice_id.in_(invoice_ids), ClientAnswer.status == AnswerStatus.open)
    ).all()
    for answer in answers:
        if change == InvoiceChange.voided:
            _close(answer, AnswerStatus.canceled, user_id=None, note="The invoice was voided", clock=clock)
        elif answer.kind == AnswerKind.promise:
            _close(answer, AnswerStatus.kept, user_id=None, note=None, clock=clock)
            metrics.record_promise("kept")
        elif answer.kind == AnswerKind.paid_claim:
            _close(answer, AnswerStatus.confirmed, user_id=None, note="The payment was recorded", clock=clock)
    session.flush()


# --- needs attention and the dashboard ----------------------------------------------------------


def _sums(session: Session, account_id: int, kind: AnswerKind) -> list[CurrencyAmount]:
    """The balance of the unsettled invoices with an open answer of `kind`, per currency."""
    rows = session.execute(
        select(Invoice.currency, func.sum(Invoice.balance_minor))
        .join(ClientAnswer, ClientAnswer.invoice_id == Invoice.id)
        .where(
            ClientAnswer.account_id == account_id,
            ClientAnswer.kind == kind,
            ClientAnswer.status == AnswerStatus.open,
            Invoice.account_id == account_id,
            Invoice.status.in_(UNSETTLED),
        )
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    return [CurrencyAmount(currency=c, amount=format_amount(int(total or 0), c)) for c, total in rows]


def attention(session: Session, *, account_id: int, today: date) -> AttentionOut:
    """What waits for the user, by section; another domain's section (email replies) appends to `sections`."""
    base = _joined(account_id)
    open_row = ClientAnswer.status == AnswerStatus.open
    queries = [
        ("open_disputes", "Open disputes and questions", and_(open_row, ClientAnswer.kind == AnswerKind.dispute)),
        ("paid_claims", "Payments to confirm", and_(open_row, ClientAnswer.kind == AnswerKind.paid_claim)),
        (
            "promises_due",
            "Promises due this week",
            and_(
                open_row,
                ClientAnswer.kind == AnswerKind.promise,
                ClientAnswer.promised_date < today + ATTENTION_WEEK,
            ),
        ),
        (
            "promises_missed",
            "Promises missed",
            and_(
                ClientAnswer.status == AnswerStatus.missed,
                Invoice.status.in_(UNSETTLED),
                # Until the user acts on the invoice: a newer answer from the client replaces it here.
                ~select(ClientAnswer.id)
                .where(
                    ClientAnswer.invoice_id == Invoice.id,
                    ClientAnswer.kind == AnswerKind.promise,
                    or_(ClientAnswer.status == AnswerStatus.open, ClientAnswer.status == AnswerStatus.kept),
                )
                .correlate(Invoice)
                .exists(),
            ),
        ),
    ]
    sections = []
    for key, title, condition in queries:
        stmt = base.where(condition)
        count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        order = (ClientAnswer.promised_date, ClientAnswer.id) if key == "promises_due" else (ClientAnswer.id,)
        items = _rows(session, stmt.order_by(*order).limit(ATTENTION_ITEMS))
        sections.append(AttentionSection(key=key, title=title, count=count, items=items))
    return AttentionOut(
        count=sum(s.count for s in sections),
        sections=sections,
        disputed=_sums(session, account_id, AnswerKind.dispute),
        promised=_sums(session, account_id, AnswerKind.promise),
    )


def client_promise_record(session: Session, *, account_id: int, client_id: int) -> ClientPromiseRecord:
    """How a client keeps their promises: shown on the client page."""
    get_owned(session, Client, client_id, account_id, what="Client")
    counts = dict(
        session.execute(
            scoped(ClientAnswer, account_id, ClientAnswer.status, func.count())
            .where(ClientAnswer.client_id == client_id, ClientAnswer.kind == AnswerKind.promise)
            .group_by(ClientAnswer.status)
        ).all()
    )
    # The planner's reading of the promises (reminders/adaptive.py), as of its last run for this client.
    note = session.scalar(
        select(ClientAdaptation.promise_note).where(
            ClientAdaptation.client_id == client_id, ClientAdaptation.account_id == account_id
        )
    )
    return ClientPromiseRecord(
        client_id=client_id,
        kept=counts.get(AnswerStatus.kept, 0),
        missed=counts.get(AnswerStatus.missed, 0),
        open=counts.get(AnswerStatus.open, 0),
        adaptation=f"{COURTESY_SKIPPED}: {note}." if note else None,
    )


# --- settings -----------------------------------------------------------------------------------


def _settings_out(account: Account) -> AnswerSettings:
    return AnswerSettings(
        promise_limit_days=account.promise_limit_days,
        promise_grace_days=account.promise_grace_days,
        paid_claim_hold_days=account.paid_claim_hold_days,
    )


def get_settings(session: Session, *, account_id: int) -> AnswerSettings:
    account = session.get(Account, account_id)
    assert account is not None
    return _settings_out(account)


def put_settings(session: Session, *, account_id: int, data: AnswerSettingsIn, clock: Clock) -> AnswerSettings:
    """New limits apply to answers from now on; the holds of open answers keep the dates they were given."""
    account = session.get(Account, account_id)
    assert account is not None
    for field, value in data.model_dump(exclude_none=True).items():
        setattr(account, field, value)
    account.updated_at = clock.now()
    session.flush()
    return _settings_out(account)
