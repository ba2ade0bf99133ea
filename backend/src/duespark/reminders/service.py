"""Reminder policies, pauses, the timeline, send-now/cancel and test mode, for the API.

Every change that affects what should be sent re-plans the affected invoices in the same
transaction (set-based), so the timeline is right as soon as the request returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import Conflict, FieldError, InvalidInput
from duespark.invoices.events import InvoiceChange
from duespark.models import Account, Client, Invoice, Reminder, ReminderPolicy, ReminderPolicyStep
from duespark.money import MoneyError, format_amount, parse_amount
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.pagination import PageParams, paginate
from duespark.reminders import adaptive, history, tone, volume
from duespark.reminders.planner import PLANNABLE_STATUSES, ReminderState, mark_for_planning, plan, unplanned
from duespark.reminders.policy import (
    DEFAULT_STEPS,
    Fee,
    SendWindow,
    Step,
    format_clock_time,
    validate_steps,
    zone,
)
from duespark.reminders.schemas import (
    ClientPolicyIn,
    ClientPolicyOut,
    FeeIn,
    FeeOut,
    PauseOut,
    ReminderListItem,
    ReminderOut,
    ReminderPolicyIn,
    ReminderPolicyOut,
    ReminderSort,
    ReminderStateName,
    ReminderTimeline,
    SendWindowOut,
    StepIn,
    StepOut,
)
from duespark.tenancy import get_owned, scoped

REASON_TEXT = {
    "paid": "The invoice was paid.",
    "void": "The invoice was voided.",
    "draft": "The invoice is a draft again.",
    "client_deleted": "The client was deleted.",
    "unsubscribed": "The client unsubscribed from reminders.",
    "hard_bounce": "The client's address bounced permanently; fix the address, then resume reminders.",
    "complaint": "The client marked a reminder as spam; no more reminders go to this address.",
    "suppressed": "The client's address is on the suppression list (a bounce or a complaint).",
    "unverified_sender": "Waiting for you to verify your email address before reminders go out.",
    "excluded": "This invoice is excluded from reminders.",
    "paused": "Reminders for this invoice are paused.",
    "client_paused": "Reminders for this client are paused.",
    "on_hold": "On hold while the client's answer is open (a dispute, or a payment they say they made).",
    "due_date_changed": "The due date changed; the steps were planned again for the new date.",
    "policy_changed": "The reminder policy changed and no longer has this step for this invoice.",
    "canceled_by_user": "Canceled by you.",
    "send_now": "Going out now, as you asked.",
    **adaptive.REASON_TEXT,
    "statement": "Sent as one statement email listing this client's overdue invoices.",
    "merged_into_statement": "Merged into one statement email with the client's other overdue invoices.",
    **tone.REASON_TEXT,
    **volume.REASON_TEXT,
    "before_added": "Its date was before you added this invoice to DueSpark, so it was not sent.",
    "missed": "Missed while reminders were not going out (DueSpark not running, or paused).",
}


def reminder_explanation(reminder: Reminder) -> str | None:
    """The reason in words, as the timeline and the preview show it."""
    return reminder.detail or REASON_TEXT.get(reminder.reason or "")


def on_invoice_change(session: Session, change: InvoiceChange, invoice_ids: Sequence[int], clock: Clock) -> None:
    """Created, edited, paid, voided, reopened: plan those invoices again, right away. A CSV import plans
    the invoices it creates itself (its options shape their first reminders): created ones already
    planned are left as they are."""
    if change == InvoiceChange.created:
        invoice_ids = unplanned(session, invoice_ids)
    if invoice_ids:
        plan(session, clock=clock, invoice_ids=invoice_ids)


def on_clients_stopped(session: Session, client_ids: Sequence[int], reason: str, clock: Clock) -> None:
    """A client unsubscribed, or their address bounced or complained: nothing pending goes out.

    Their pending reminders are canceled with that reason at once, and a bounced or complaining
    client is paused so the planner does not plan new steps for an address that cannot be mailed.
    """
    if not client_ids:
        return
    now = clock.now()
    if reason != "unsubscribed":
        session.execute(
            update(Client)
            .where(Client.id.in_(client_ids))
            .values(reminders_paused=True, reminders_paused_until=None, updated_at=now)
        )
    canceled = session.execute(
        update(Reminder)
        .where(
            Reminder.state == ReminderState.pending,
            Reminder.invoice_id.in_(select(Invoice.id).where(Invoice.client_id.in_(client_ids))),
        )
        .values(state=ReminderState.canceled, reason=reason, detail=None, updated_at=now)
        .returning(Reminder.id, Reminder.account_id)
        .execution_options(synchronize_session=False)
    ).all()
    outgoing_webhooks.reminders_changed(session, "reminder.canceled", [tuple(row) for row in canceled], now=now)


# -- policies ------------------------------------------------------------------------------


def _percent(rate_bp: int) -> str:
    return f"{Decimal(rate_bp) / 100:.2f}"


def _basis_points(percent: Decimal) -> int:
    return int(percent * 100)


def _fee_out(fee: Fee | None) -> FeeOut | None:
    if fee is None:
        return None
    return FeeOut(
        kind=fee.kind,  # type: ignore[arg-type]
        amount=format_amount(fee.amount_minor, fee.currency) if fee.amount_minor and fee.currency else None,
        currency=fee.currency,
        percent=_percent(fee.rate_bp) if fee.kind == "percent" and fee.rate_bp else None,
        annual_rate_percent=_percent(fee.rate_bp) if fee.kind == "daily_interest" and fee.rate_bp else None,
    )


def _steps_out(steps: Sequence[Step]) -> list[StepOut]:
    return [
        StepOut(
            offset_days=s.offset_days,
            template_key=s.template_key,  # type: ignore[arg-type]
            step_key=s.step_key,
            fee=_fee_out(s.fee),
            attach_pdf=s.attaches_pdf,
        )
        for s in steps
    ]


def _fee_in(fee: FeeIn, *, default_currency: str, field: str) -> tuple[Fee, FieldError | None]:
    if fee.kind == "fixed":
        currency = fee.currency or default_currency
        try:
            amount = None if fee.amount is None else parse_amount(fee.amount, currency)
        except MoneyError as exc:
            return Fee("fixed", None, currency), FieldError(field=f"{field}.amount", message=str(exc))
        return Fee("fixed", amount, currency), None
    rate = fee.percent if fee.kind == "percent" else fee.annual_rate_percent
    return Fee(fee.kind, rate_bp=None if rate is None else _basis_points(rate)), None


def steps_from_input(steps: Sequence[StepIn], *, default_currency: str) -> list[Step]:
    """The steps of a request, checked: a 422 names each bad step and fee field by position."""
    parsed: list[Step] = []
    errors: list[FieldError] = []
    for index, step in enumerate(steps):
        fee = None
        if step.fee is not None:
            fee, error = _fee_in(step.fee, default_currency=default_currency, field=f"steps.{index}.fee")
            if error is not None:
                errors.append(error)
        parsed.append(Step(step.offset_days, step.template_key, fee, step.attach_pdf))
    try:
        ordered = validate_steps(parsed)
    except InvalidInput as exc:
        # An amount that could not be read is reported once, not again as missing.
        errors.extend(e for e in exc.errors if e.field not in {known.field for known in errors})
    if errors:
        raise InvalidInput(errors=errors)
    return ordered


def _policy_steps(session: Session, policy_id: int) -> list[Step]:
    rows = session.execute(
        select(
            ReminderPolicyStep.offset_days,
            ReminderPolicyStep.template_key,
            ReminderPolicyStep.fee_kind,
            ReminderPolicyStep.fee_amount_minor,
            ReminderPolicyStep.fee_currency,
            ReminderPolicyStep.fee_rate_bp,
            ReminderPolicyStep.attach_pdf,
        )
        .where(ReminderPolicyStep.policy_id == policy_id)
        .order_by(ReminderPolicyStep.offset_days)
    ).all()
    return [
        Step(offset, template, None if kind is None else Fee(kind, amount, currency, rate), attach)
        for offset, template, kind, amount, currency, rate, attach in rows
    ]


def _replace_steps(session: Session, policy: ReminderPolicy, steps: Sequence[Step], clock: Clock) -> None:
    session.execute(delete(ReminderPolicyStep).where(ReminderPolicyStep.policy_id == policy.id))
    session.add_all(
        ReminderPolicyStep(
            policy_id=policy.id,
            position=position,
            offset_days=step.offset_days,
            step_key=step.step_key,
            template_key=step.template_key,
            fee_kind=step.fee.kind if step.fee else None,
            fee_amount_minor=step.fee.amount_minor if step.fee else None,
            fee_currency=step.fee.currency if step.fee else None,
            fee_rate_bp=step.fee.rate_bp if step.fee else None,
            attach_pdf=step.attaches_pdf,
        )
        for position, step in enumerate(steps)
    )
    policy.updated_at = clock.now()
    session.flush()


def _account_policy(session: Session, account_id: int, clock: Clock) -> ReminderPolicy:
    policy = session.scalars(scoped(ReminderPolicy, account_id).where(ReminderPolicy.client_id.is_(None))).one_or_none()
    if policy is None:
        now = clock.now()
        policy = ReminderPolicy(account_id=account_id, client_id=None, created_at=now, updated_at=now)
        session.add(policy)
        session.flush()
        _replace_steps(session, policy, DEFAULT_STEPS, clock)
    return policy


def _window_out(account: Account) -> SendWindowOut:
    return SendWindowOut(
        start=format_clock_time(account.send_window_start),
        end=format_clock_time(account.send_window_end),
        weekdays=[int(d) for d in account.send_weekdays],
    )


def get_account_policy(session: Session, *, account_id: int, clock: Clock) -> ReminderPolicyOut:
    account = session.get(Account, account_id)
    assert account is not None
    policy = _account_policy(session, account_id, clock)
    return ReminderPolicyOut(
        steps=_steps_out(_policy_steps(session, policy.id)),
        send_window=_window_out(account),
        adaptive=account.adaptive_reminders,
        merge_statements=account.merge_statements,
        late_interest_annual_rate_percent=_percent(account.late_interest_rate_bp),
        final_notice_min_days=policy.final_notice_min_days,
    )


def put_account_policy(session: Session, *, account_id: int, data: ReminderPolicyIn, clock: Clock) -> ReminderPolicyOut:
    account = session.get(Account, account_id)
    assert account is not None
    before = get_account_policy(session, account_id=account_id, clock=clock).model_dump(mode="json")
    steps = steps_from_input(data.steps, default_currency=account.default_currency)
    if data.send_window is not None:
        window: SendWindow = data.send_window.to_window()
        account.send_window_start = window.start_minute
        account.send_window_end = window.end_minute
        account.send_weekdays = window.weekdays
        account.updated_at = clock.now()
    if data.adaptive is not None:
        account.adaptive_reminders = data.adaptive
        account.updated_at = clock.now()
    if data.merge_statements is not None:
        account.merge_statements = data.merge_statements
        account.updated_at = clock.now()
    if data.late_interest_annual_rate_percent is not None:
        account.late_interest_rate_bp = _basis_points(data.late_interest_annual_rate_percent)
        account.updated_at = clock.now()
    policy = _account_policy(session, account_id, clock)
    if data.final_notice_min_days is not None:
        policy.final_notice_min_days = data.final_notice_min_days
    _replace_steps(session, policy, steps, clock)
    _replan(session, clock, account_id, Invoice.account_id == account_id)
    after = get_account_policy(session, account_id=account_id, clock=clock)
    if edited := audit.diff(before, after.model_dump(mode="json")):
        audit.record(
            session,
            account_id=account_id,
            action="policy.changed",
            entity_type="policy",
            entity_id=None,
            now=clock.now(),
            changes=edited,
        )
    return after


def _client_policy(session: Session, client: Client) -> ReminderPolicy | None:
    return session.scalars(select(ReminderPolicy).where(ReminderPolicy.client_id == client.id)).one_or_none()


def _owned_client(session: Session, account_id: int, client_id: int) -> Client:
    return get_owned(session, Client, client_id, account_id, what="Client")


def get_client_policy(session: Session, *, account_id: int, client_id: int, clock: Clock) -> ClientPolicyOut:
    client = _owned_client(session, account_id, client_id)
    own = _client_policy(session, client)
    if own is None:
        steps = _policy_steps(session, _account_policy(session, account_id, clock).id)
        return ClientPolicyOut(client_id=client.id, mode="account", steps=_steps_out(steps))
    steps = _policy_steps(session, own.id)
    return ClientPolicyOut(client_id=client.id, mode="custom" if steps else "none", steps=_steps_out(steps))


def put_client_policy(
    session: Session, *, account_id: int, client_id: int, data: ClientPolicyIn, clock: Clock
) -> ClientPolicyOut:
    client = _owned_client(session, account_id, client_id)
    own = _client_policy(session, client)
    before = get_client_policy(session, account_id=account_id, client_id=client_id, clock=clock).model_dump(mode="json")
    if data.mode == "account":
        if own is not None:
            session.execute(delete(ReminderPolicyStep).where(ReminderPolicyStep.policy_id == own.id))
            session.delete(own)
            session.flush()
    else:
        steps: list[Step] = []
        if data.mode == "custom":
            if not data.steps:
                raise InvalidInput("steps", "A custom policy needs at least one step; use mode 'none' for none")
            account = session.get(Account, account_id)
            assert account is not None
            steps = steps_from_input(data.steps, default_currency=account.default_currency)
        if own is None:
            now = clock.now()
            own = ReminderPolicy(account_id=account_id, client_id=client.id, created_at=now, updated_at=now)
            session.add(own)
            session.flush()
        _replace_steps(session, own, steps, clock)
    _replan(session, clock, account_id, Invoice.client_id == client.id)
    after = get_client_policy(session, account_id=account_id, client_id=client.id, clock=clock)
    if edited := audit.diff(before, after.model_dump(mode="json")):
        audit.record(
            session,
            account_id=account_id,
            action="policy.changed",
            entity_type="client",
            entity_id=client.id,
            now=clock.now(),
            changes=edited,
        )
    return after


def _replan(session: Session, clock: Clock, account_id: int, *conditions) -> None:
    mark_for_planning(session, Invoice.account_id == account_id, *conditions)
    plan(session, clock=clock, account_id=account_id)


# -- pauses --------------------------------------------------------------------------------


def _check_until(until: date | None, timezone: str | None, clock: Clock) -> None:
    if until is not None and until <= clock.now().astimezone(zone(timezone)).date():
        raise InvalidInput("until", "The pause must end after today; leave it empty to pause until resumed")


def pause_client(session: Session, *, account_id: int, client_id: int, until: date | None, clock: Clock) -> PauseOut:
    client = _owned_client(session, account_id, client_id)
    account = session.get(Account, account_id)
    _check_until(until, client.timezone or (account.timezone if account else None), clock)
    return _set_client_pause(session, client, paused=True, until=until, clock=clock)


def resume_client(session: Session, *, account_id: int, client_id: int, clock: Clock) -> PauseOut:
    client = _owned_client(session, account_id, client_id)
    return _set_client_pause(session, client, paused=False, until=None, clock=clock)


def _set_client_pause(session: Session, client: Client, *, paused: bool, until: date | None, clock: Clock) -> PauseOut:
    audit.record(
        session,
        account_id=client.account_id,
        action="client.paused" if paused else "client.resumed",
        entity_type="client",
        entity_id=client.id,
        now=clock.now(),
        changes={"until": until},
    )
    client.reminders_paused = paused
    client.reminders_paused_until = until
    client.updated_at = clock.now()
    session.flush()
    _replan(session, clock, client.account_id, Invoice.client_id == client.id)
    return PauseOut(paused=paused, paused_until=until)


def pause_invoice(session: Session, *, account_id: int, invoice_id: int, until: date | None, clock: Clock) -> PauseOut:
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    account = session.get(Account, account_id)
    client = session.get(Client, invoice.client_id)
    _check_until(until, (client.timezone if client else None) or (account.timezone if account else None), clock)
    return _set_invoice_pause(session, invoice, paused=True, until=until, clock=clock)


def resume_invoice(session: Session, *, account_id: int, invoice_id: int, clock: Clock) -> PauseOut:
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    return _set_invoice_pause(session, invoice, paused=False, until=None, clock=clock)


def _set_invoice_pause(
    session: Session, invoice: Invoice, *, paused: bool, until: date | None, clock: Clock
) -> PauseOut:
    invoice.reminders_paused = paused
    invoice.reminders_paused_until = until
    invoice.updated_at = clock.now()
    session.flush()
    plan(session, clock=clock, invoice_ids=[invoice.id])
    return PauseOut(paused=paused, paused_until=until)


# -- the timeline and actions on one reminder ------------------------------------------------


def reminder_out(reminder: Reminder) -> ReminderOut:
    return ReminderOut(**_reminder_fields(reminder))


def _reminder_fields(reminder: Reminder) -> dict[str, object]:
    return dict(
        id=reminder.id,
        invoice_id=reminder.invoice_id,
        step_key=reminder.step_key,
        offset_days=reminder.offset_days,
        template_key=reminder.template_key,
        due_date=reminder.due_date,
        scheduled_for=reminder.scheduled_for,
        state=reminder.state,  # type: ignore[arg-type]
        reason=reminder.reason,
        explanation=reminder_explanation(reminder),
        attempts=reminder.attempts,
        next_attempt_at=reminder.next_attempt_at if reminder.state == ReminderState.pending else None,
        sent_at=reminder.sent_at,
        provider_message_id=reminder.provider_message_id,
        is_test=reminder.is_test,
        uncertain_sends=reminder.uncertain_sends,
        created_at=reminder.created_at,
        updated_at=reminder.updated_at,
    )


def list_reminders(
    session: Session,
    *,
    account_id: int,
    paging: PageParams,
    states: Sequence[ReminderStateName] = (),
    client_id: int | None = None,
    scheduled_from: datetime | None = None,
    scheduled_to: datetime | None = None,
    sort: ReminderSort = "scheduled_for",
) -> tuple[list[ReminderListItem], int]:
    """The account's reminders across invoices: what goes out next, what went out, what failed."""
    filters = []
    if states:
        filters.append(Reminder.state.in_(states))
    if scheduled_from is not None:
        filters.append(Reminder.scheduled_for >= scheduled_from)
    if scheduled_to is not None:
        filters.append(Reminder.scheduled_for < scheduled_to)
    # Every reminder has its invoice and every invoice its client, so the total counts reminders alone
    # (from the account/state index) unless a client is asked for: joining them for 40,000 pending
    # reminders took 140 ms of SQLite's time per page.
    count = scoped(Reminder, account_id, func.count()).select_from(Reminder).where(*filters)
    if client_id is not None:
        filters.append(Invoice.client_id == client_id)
        count = count.join(Invoice, Invoice.id == Reminder.invoice_id).where(Invoice.client_id == client_id)
    stmt = (
        scoped(Reminder, account_id, Reminder, Invoice.number, Invoice.client_id, Client.name)
        .join(Invoice, Invoice.id == Reminder.invoice_id)
        .join(Client, Client.id == Invoice.client_id)
        .where(*filters)
    )
    column = Reminder.sent_at if sort.lstrip("-") == "sent_at" else Reminder.scheduled_for
    if sort.startswith("-"):
        stmt = stmt.order_by(column.desc(), Reminder.id.desc())
    else:
        stmt = stmt.order_by(column, Reminder.id)
    rows, total = paginate(session, stmt, paging, count=count)
    items = [
        ReminderListItem(
            **_reminder_fields(reminder), invoice_number=number, client_id=owner_id, client_name=client_name
        )
        for reminder, number, owner_id, client_name in rows
    ]
    return items, total


def invoice_timeline(session: Session, *, account_id: int, invoice_id: int) -> ReminderTimeline:
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    client = session.get(Client, invoice.client_id)
    assert client is not None
    reminders = session.scalars(
        scoped(Reminder, account_id)
        .where(Reminder.invoice_id == invoice.id)
        .order_by(Reminder.scheduled_for, Reminder.offset_days, Reminder.id)
    ).all()
    return ReminderTimeline(
        invoice_id=invoice.id,
        paused=invoice.reminders_paused,
        paused_until=invoice.reminders_paused_until,
        client_paused=client.reminders_paused,
        client_paused_until=client.reminders_paused_until,
        items=[reminder_out(r) for r in reminders],
    )


def send_now(session: Session, *, account_id: int, reminder_id: int, clock: Clock) -> Reminder:
    """Queue the reminder for the next dispatcher tick, outside the send window and catch-up."""
    reminder = get_owned(session, Reminder, reminder_id, account_id, what="Reminder")
    if reminder.state == ReminderState.sent:
        raise Conflict("This reminder was already sent")
    if reminder.state == ReminderState.sending:
        raise Conflict("This reminder is being sent right now")
    if reminder.state == ReminderState.canceled:
        raise Conflict(f"This reminder was canceled: {REASON_TEXT.get(reminder.reason or '', reminder.reason)}")
    invoice = session.get(Invoice, reminder.invoice_id)
    if invoice is None or invoice.status not in PLANNABLE_STATUSES:
        raise Conflict("Only reminders of open invoices can be sent")
    now = clock.now()
    reminder.state = ReminderState.pending
    reminder.manual = True
    reminder.attempts = 0
    reminder.next_attempt_at = now
    reminder.reason = "send_now"
    reminder.detail = None
    reminder.updated_at = now
    session.flush()
    return reminder


def cancel(session: Session, *, account_id: int, reminder_id: int, clock: Clock) -> Reminder:
    reminder = get_owned(session, Reminder, reminder_id, account_id, what="Reminder")
    if reminder.state != ReminderState.pending:
        raise Conflict(f"Only a pending reminder can be canceled; this one is {reminder.state}")
    reminder.state = ReminderState.canceled
    reminder.reason = "canceled_by_user"
    reminder.detail = None
    reminder.updated_at = clock.now()
    session.flush()
    outgoing_webhooks.reminders_changed(
        session, "reminder.canceled", [(reminder.id, reminder.account_id)], now=reminder.updated_at
    )
    return reminder


# -- test mode -----------------------------------------------------------------------------


def set_test_mode(session: Session, *, account_id: int, test_mode: bool, clock: Clock) -> Account:
    """Live sending on or off. Going live sends no backlog: what is due follows the catch-up rule."""
    account = session.get(Account, account_id)
    assert account is not None
    if account.test_mode != test_mode:
        audit.record(
            session,
            account_id=account_id,
            action="account.test_mode" if test_mode else "account.went_live",
            entity_type="account",
            entity_id=account_id,
            now=clock.now(),
            changes={"test_mode": {"before": account.test_mode, "after": test_mode}},
        )
        account.test_mode = test_mode
        account.live_since = None if test_mode else clock.now()
        account.updated_at = clock.now()
        session.flush()
    return account


def tone_when_sent(session: Session, *, reminder: Reminder, clock: Clock) -> str:
    """The template a pending reminder will go out with: the dispatcher chooses the tone for the day it
    is sent (reminders/tone.py), so a friendly step caught up after the due date goes as firm."""
    if reminder.state not in (ReminderState.pending, ReminderState.sending):
        return reminder.template_key
    invoice = session.get(Invoice, reminder.invoice_id)
    assert invoice is not None
    client = session.get(Client, invoice.client_id)
    account = session.get(Account, invoice.account_id)
    assert client is not None and account is not None
    timezone = client.timezone or account.timezone
    now = clock.now()
    goes = max(now, reminder.scheduled_for) if reminder.scheduled_for is not None else now
    histories = history.sent_histories(
        session, [invoice.id], timezones={invoice.id: timezone}, test={invoice.id: account.test_mode}
    )
    choice = tone.choose_step(
        reminder.template_key,
        due_date=invoice.due_date,
        today=goes.astimezone(ZoneInfo(timezone)).date(),
        history=histories.get(invoice.id, tone.History()),
        final_gap_days=history.final_gaps(session, [account.id]).get(account.id, tone.DEFAULT_FINAL_GAP_DAYS),
        manual=reminder.manual,
    )
    return choice.template_key
