"""Import options: "start chasing from today" and "don't chase invoices older than N days".

Applied as the invoices an import just created are planned, in the import's transaction: each row is
inserted in the state the options give it (a dry run does the same inside its rolled-back savepoint,
so its preview and counts are what the real import does).

- Start chasing from today: no email goes today. Steps whose day is today or earlier are skipped
  with that reason; the first email is the next step after today. An invoice with no step left after
  today is not chased (below) rather than silently never reminded.
- Don't chase invoices more than N days overdue: they are inserted paused (the invoice pause the app
  already has) and their first planned step canceled with the reason shown in the invoice's timeline. Resuming
  reminders for such an invoice (one by one, or all at once) plans it again; its latest missed
  step then goes, worded for the day it is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from duespark.clock import Clock
from duespark.models import Account, Invoice, Reminder
from duespark.models.base import UTCDateTime
from duespark.onboarding.schemas import ImportOptionsReport
from duespark.reminders.planner import FirstRows, FirstStates, ReminderState, ids_parameter, in_ids, plan
from duespark.reminders.policy import zone

NOT_CHASED = "not_chased"
STARTED_FROM_TODAY = "chasing_from_today"
DEFAULT_OLDER_THAN_DAYS = 90
MAX_OLDER_THAN_DAYS = 3650
CHUNK = 5000

STARTED_DETAIL = (
    "Not sent: its day had passed when you imported this invoice, and you chose to start chasing "
    "from today. The next step goes on its day."
)
NO_STEP_LEFT_DETAIL = (
    "Not chased: every reminder step of this invoice had passed when you imported it, and you chose "
    "to start chasing from today. Resume reminders for it to start chasing it."
)


def old_detail(days: int) -> str:
    return (
        f"Not chased: this invoice was more than {days} days overdue when you imported it. "
        "Resume reminders for it to start chasing it."
    )


@dataclass(frozen=True)
class ImportOptions:
    """Defaults for a new user importing their history: nothing goes out the moment the file is imported,
    and debts older than three months wait for the user's decision."""

    start_from_today: bool = True
    dont_chase_older: bool = True
    older_than_days: int = DEFAULT_OLDER_THAN_DAYS


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK)]


def not_chased_before(options: ImportOptions, today: date) -> date | None:
    """Invoices due before this day are not chased (the importer inserts them paused); None: all are."""
    return today - timedelta(days=options.older_than_days) if options.dont_chase_older else None


def _first_states(options: ImportOptions, old_before: date | None, tomorrow: datetime) -> FirstStates:
    """How an imported invoice's planned rows start out under the options (only rows planned as pending
    change; a row an adaptation skips stays so):

    - the invoice is more than N days overdue: one row, its first step's, canceled, "not chased";
    - the row's time is before tomorrow and the invoice has a row after: skipped, "chasing from today";
    - every row of the invoice is before tomorrow: one row, its first step's, canceled, "not chased" (no
      step left).
    """

    def first_states(desired, send_at):
        pending = desired.c.state == ReminderState.pending
        passed = send_at < literal(tomorrow, UTCDateTime())
        rules: list[tuple[ColumnElement[bool], tuple[str, str, str]]] = []
        kept = None
        if old_before is not None:
            # Old invoices come paused, planned with their first step only (plan_paused): that row says why.
            not_chased = (ReminderState.canceled, NOT_CHASED, old_detail(options.older_than_days))
            rules.append((and_(pending, desired.c.due_date < old_before), not_chased))
        if options.start_from_today:
            later = func.max(case((and_(pending, ~passed), 1), else_=0)).over(partition_by=desired.c.invoice_id)
            rules.append((and_(pending, passed, later == 0), (ReminderState.canceled, NOT_CHASED, NO_STEP_LEFT_DETAIL)))
            rules.append((and_(pending, passed), (ReminderState.skipped, STARTED_FROM_TODAY, STARTED_DETAIL)))
            # An invoice with no step left keeps one row, its first step's, saying why (a row per step said
            # it five times).
            first_step = func.row_number().over(partition_by=desired.c.invoice_id, order_by=desired.c.offset_days) == 1
            kept = or_(later != 0, first_step)
        if not rules:
            return FirstRows(desired.c.state, desired.c.reason, desired.c.detail)
        state, reason, detail = (
            case(*((condition, literal(values[index])) for condition, values in rules), else_=column)
            for index, column in enumerate((desired.c.state, desired.c.reason, desired.c.detail))
        )
        return FirstRows(state, reason, detail, kept)

    return first_states


def plan_import(
    session: Session,
    *,
    account_id: int,
    invoice_ids: Sequence[int],
    options: ImportOptions,
    today: date,
    clock: Clock,
) -> ImportOptionsReport:
    """Plan the invoices an import just created, their rows made in the state the options give them
    (one INSERT ... SELECT, none written twice), then pause the invoices left with no step and count what
    the options changed. `today` is the account's, the day the importer inserted the invoices older than
    `not_chased_before` paused by."""
    account = session.get(Account, account_id)
    assert account is not None
    # The first instant of tomorrow where the account is: "from today" sends nothing before it.
    tomorrow = datetime.combine(today + timedelta(days=1), time(), zone(account.timezone))
    old_before = not_chased_before(options, today)
    report = ImportOptionsReport(
        start_from_today=options.start_from_today,
        dont_chase_older=options.dont_chase_older,
        older_than_days=options.older_than_days,
        invoices_started_later=0,
        steps_skipped=0,
        not_chased_old=0,
        not_chased_no_step_left=0,
    )
    plan(
        session,
        clock=clock,
        invoice_ids=invoice_ids,
        account_id=account_id,
        first_states=_first_states(options, old_before, tomorrow),
        stamped=True,  # the importer inserts them planned at `clock.now()`
        plan_paused=old_before is not None,  # and the old ones paused
    )
    if not (options.dont_chase_older or options.start_from_today):
        return report
    dialect = session.get_bind().dialect.name
    ids = {"import_ids": ids_parameter(session, invoice_ids)}
    imported = in_ids(Invoice.id, "import_ids", dialect)
    no_step_left = and_(Reminder.reason == NOT_CHASED, Reminder.detail == NO_STEP_LEFT_DETAIL)
    started = Reminder.reason == STARTED_FROM_TODAY
    with_rows = in_ids(Reminder.invoice_id, "import_ids", dialect)
    counts = session.execute(
        select(
            func.count(func.distinct(case((started, Reminder.invoice_id)))),
            func.count(case((started, 1))),
            func.count(func.distinct(case((no_step_left, Reminder.invoice_id)))),
        ).where(with_rows, or_(started, no_step_left)),
        ids,
    ).one()
    report.invoices_started_later, report.steps_skipped, report.not_chased_no_step_left = (int(n) for n in counts)
    if old_before is not None:
        old = select(func.count()).select_from(Invoice).where(imported, Invoice.due_date < old_before)
        report.not_chased_old = session.scalar(old, ids) or 0
    if report.not_chased_no_step_left:
        session.execute(
            update(Invoice)
            # Not an EXISTS per invoice: SQLite may walk the account's reminders for each of them. The rows
            # are the import's already: testing each invoice's id against the 50,000 imported ones as well
            # cost PostgreSQL 2.8 s.
            .where(Invoice.id.in_(select(Reminder.invoice_id).where(with_rows, no_step_left)))
            .values(reminders_paused=True, reminders_paused_until=None)
            .execution_options(synchronize_session=False),
            ids,
        )
    return report


def resume_not_chased(session: Session, *, account_id: int, clock: Clock) -> list[int]:
    """Start chasing every invoice an import left "not chased": resume them (the planner plans them
    again; the caller publishes the change). Returns their ids."""
    ids = list(
        session.scalars(
            select(Invoice.id).where(
                Invoice.account_id == account_id,
                Invoice.reminders_paused.is_(True),
                Invoice.reminders_paused_until.is_(None),
                exists().where(
                    Reminder.invoice_id == Invoice.id,
                    Reminder.account_id == account_id,
                    Reminder.state == ReminderState.canceled,
                    Reminder.reason == NOT_CHASED,
                ),
            )
        )
    )
    for chunk in _chunks(ids):
        session.execute(
            update(Invoice)
            .where(Invoice.id.in_(chunk))
            .values(reminders_paused=False, updated_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    return ids
