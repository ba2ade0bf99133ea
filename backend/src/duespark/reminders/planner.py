"""The planner: one reminder row per (invoice, due date, step), made by a few set-based statements.

Which invoices: those never planned, changed since they were planned (their own or their
client's `updated_at`), or named explicitly by an invoice event. For them it

1. gives accounts without a default policy the built-in one,
2. computes the business-hours slot of every new (local date, timezone, window) in Python,
3. cancels pending rows that no longer belong to the plan (paid, void, paused, due date moved...),
4. moves pending rows whose send time or tone changed,
5. inserts the missing rows with ON CONFLICT DO NOTHING against a unique index, so two
   planners at once (or one run twice) never make a row twice,
6. stamps the invoices as planned.

Steps whose time has already passed are inserted with their past time; the dispatcher's
catch-up then sends only the latest of them and records the others as skipped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Date,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from duespark.clock import Clock
from duespark.insights.behaviour import RatingThresholds
from duespark.models import (
    Account,
    Client,
    ClientAdaptation,
    Invoice,
    Reminder,
    ReminderPolicy,
    ReminderPolicyStep,
    ReminderSendSlot,
)
from duespark.models.base import IdType, UTCDateTime
from duespark.models.enums import InvoiceStatus
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders import adaptive
from duespark.reminders.policy import DEFAULT_STEPS, SendWindow

PLANNABLE_STATUSES = (InvoiceStatus.open.value, InvoiceStatus.partially_paid.value)
# Invoice events name their invoices; a CSV import names 100,000 of them, planned this many at a time.
# The ids go to the database as one parameter (an array, a JSON list on SQLite), not one per id: the
# statements are set-based over the whole chunk and cost no more to build for 50,000 ids than for one.
EXPLICIT_CHUNK = 50_000


class FirstRows(NamedTuple):
    """How the rows a run inserts start out, instead of as planned: the (state, reason, detail) of each,
    and which of them are inserted at all (None: every one)."""

    state: ColumnElement
    reason: ColumnElement
    detail: ColumnElement
    kept: ColumnElement[bool] | None = None


# An import's options (skip the steps whose day has passed, do not chase old debts): given the planned rows
# (`desired`) and their send time, the FirstRows; a window over `desired.c.invoice_id` sees the invoice's
# other rows.
FirstStates = Callable[[Any, ColumnElement[datetime]], FirstRows]


# The `desired` statement by (dialect, named invoices?, one account?, paused too?); see `_Planner._desired_once`.
_DESIRED: dict[tuple[str, bool, bool, bool], Any] = {}
_DESIRED_LOCK = threading.Lock()


class ReminderState:
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    canceled = "canceled"
    skipped = "skipped"


@dataclass
class PlanResult:
    invoices: int = 0
    inserted: int = 0
    canceled: int = 0
    rescheduled: int = 0
    slots_computed: int = 0

    def add(self, other: PlanResult) -> None:
        self.invoices += other.invoices
        self.inserted += other.inserted
        self.canceled += other.canceled
        self.rescheduled += other.rescheduled
        self.slots_computed += other.slots_computed


# Every process that plans (API requests, workers, the CLI) must rate clients the same way, or
# each would undo the other's adaptations: they all set these from the same settings at start.
_rating_thresholds = RatingThresholds()


def use_rating_thresholds(thresholds: RatingThresholds) -> None:
    """The payer-rating thresholds adaptive planning uses (settings `insights_*`)."""
    global _rating_thresholds
    _rating_thresholds = thresholds


def plan(
    session: Session,
    *,
    clock: Clock,
    invoice_ids: Sequence[int] | None = None,
    account_id: int | None = None,
    first_states: FirstStates | None = None,
    stamped: bool = False,
    plan_paused: bool = False,
) -> PlanResult:
    """Plan the named invoices, or every invoice that needs planning (optionally of one account).
    `first_states`: how the new rows of named invoices start out (see FirstStates). `stamped`: the named
    invoices carry this run's time as planned already (a CSV import inserts them so: on PostgreSQL an
    UPDATE of 50,000 fresh rows writes each again with all its index entries). `plan_paused`: the named
    invoices that are paused get one row, their first step's, for `first_states` to say why (an import
    inserts its old invoices paused: pausing them afterwards rewrote 30,000 of 50,000 fresh rows)."""
    thresholds = _rating_thresholds
    if invoice_ids is None:
        return _Planner(session, clock.now(), None, account_id, thresholds).run()
    result = PlanResult()
    ids = list(invoice_ids)
    for start in range(0, len(ids), EXPLICIT_CHUNK):
        chunk = ids[start : start + EXPLICIT_CHUNK]
        planner = _Planner(
            session, clock.now(), chunk, account_id, thresholds, first_states, stamped=stamped, plan_paused=plan_paused
        )
        result.add(planner.run())
    return result


def ids_parameter(session: Session, ids: Sequence[int]) -> object:
    """`ids` as the value of an `in_ids` parameter."""
    return list(ids) if session.get_bind().dialect.name == "postgresql" else json.dumps(list(ids))


def in_ids(column: ColumnElement[int], name: str, dialect: str, value: object = None) -> ColumnElement[bool]:
    """`column` is one of the ids of the parameter `name` (`value`, or given at execution; made by
    `ids_parameter`): one parameter whatever their number, where an IN list has one per id (5,000 ids:
    ~0.3 s of Python to render each statement and as much for the driver to parse it)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, value, type_=postgresql.ARRAY(BigInteger)))
    ids = select(literal_column("value")).select_from(func.json_each(bindparam(name, value, type_=String)))
    return column.in_(ids.scalar_subquery())


def unplanned(session: Session, invoice_ids: Sequence[int]) -> list[int]:
    """Those of the invoices never planned."""
    named = in_ids(Invoice.id, "ids", session.get_bind().dialect.name, ids_parameter(session, invoice_ids))
    return list(session.scalars(select(Invoice.id).where(named, Invoice.reminders_planned_at.is_(None))))


def invoices_to_plan(session: Session, *, after_id: int, limit: int) -> list[int]:
    """The ids of the next `limit` invoices a periodic run must plan (new, changed since planned, or of a
    changed client), in id order after `after_id`: the worker plans them chunk by chunk."""
    planned_at = Invoice.reminders_planned_at
    return list(
        session.scalars(
            select(Invoice.id)
            .join(Client, Client.id == Invoice.client_id)
            .where(
                Invoice.id > after_id,
                or_(planned_at.is_(None), planned_at < Invoice.updated_at, planned_at < Client.updated_at),
            )
            .order_by(Invoice.id)
            .limit(limit)
        )
    )


def mark_for_planning(session: Session, *conditions: ColumnElement[bool]) -> None:
    """Make the next planner run re-plan the invoices matching `conditions`."""
    session.execute(update(Invoice).where(*conditions).values(reminders_planned_at=None))


class _Planner:
    def __init__(
        self,
        session: Session,
        now: datetime,
        invoice_ids: list[int] | None,
        account_id: int | None,
        thresholds: RatingThresholds,
        first_states: FirstStates | None = None,
        *,
        stamped: bool = False,
        plan_paused: bool = False,
    ):
        self.session = session
        self.first_states = first_states
        self.stamped = stamped
        self.plan_paused = plan_paused
        self.thresholds = thresholds
        self.now = now
        self.invoice_ids = invoice_ids
        self.account_id = account_id
        self.dialect = session.get_bind().dialect.name
        self._ids_value = None if invoice_ids is None else ids_parameter(session, invoice_ids)
        # Whether an endpoint in scope receives reminder.scheduled/canceled: only then do the
        # statements return the rows they change (see `_execute`).
        self._reporting = False

    def run(self) -> PlanResult:
        result = PlanResult()
        if not self._anything_to_plan():
            return result  # the common periodic run: one scan, no writes
        accounts = None if self.account_id is None else [self.account_id]
        reported = outgoing_webhooks.REMINDER_CHANGES
        self._reporting = bool(outgoing_webhooks.subscribed_accounts(self.session, reported, account_ids=accounts))
        self._ensure_default_policies()
        self._refresh_adaptations()
        result.slots_computed = self._fill_missing_slots()
        # A new invoice (the API's create, an import) has nothing pending to cancel or move.
        if self._anything_pending():
            result.canceled = self._cancel_outdated()
            result.rescheduled = self._reschedule_changed()
        result.inserted = self._insert_missing()
        result.invoices = len(self.invoice_ids or ()) if self.stamped else self._stamp_planned()
        return result

    # Which invoices this run plans, for statements whose FROM has `invoice` and `client`, executed with
    # `_scope_params`. `bound`: the account as a parameter too, for statements built once and kept.
    def _scope(self, invoice, client, *, bound: bool = False) -> ColumnElement[bool]:
        if self.invoice_ids is not None:
            value = None if bound else self._ids_value
            condition = in_ids(invoice.id, "plan_invoice_ids", self.dialect, value)
        else:
            planned_at = invoice.reminders_planned_at
            condition = or_(planned_at.is_(None), planned_at < invoice.updated_at, planned_at < client.updated_at)
        if self.account_id is not None:
            account_id = bindparam("plan_account_id", type_=IdType) if bound else self.account_id
            condition = and_(condition, invoice.account_id == account_id)
        return condition

    @property
    def _scope_params(self) -> dict[str, object]:
        return {"plan_invoice_ids": self._ids_value, "plan_account_id": self.account_id}

    def _anything_to_plan(self) -> bool:
        invoice, client = aliased(Invoice), aliased(Client)
        return bool(
            self.session.scalar(select(exists().where(invoice.client_id == client.id, self._scope(invoice, client))))
        )

    def _anything_pending(self) -> bool:
        if self.invoice_ids is not None:
            # Asked of the reminders' invoice index alone: joined to the invoices of a large import, PostgreSQL
            # picks a plan that walks every pending reminder of the database for each chunk.
            named = in_ids(Reminder.invoice_id, "plan_invoice_ids", self.dialect, self._ids_value)
            pending = exists().where(named, Reminder.state == ReminderState.pending)
            if self.account_id is not None:
                pending = pending.where(Reminder.account_id == self.account_id)
            return bool(self.session.scalar(select(pending)))
        invoice, client = aliased(Invoice), aliased(Client)
        pending = exists().where(
            Reminder.invoice_id == invoice.id,
            Reminder.state == ReminderState.pending,
            invoice.client_id == client.id,
            self._scope(invoice, client),
        )
        return bool(self.session.scalar(select(pending)))

    def _add_days(self, day, days) -> ColumnElement[date]:
        if self.dialect == "sqlite":
            return func.date(day, func.printf("%+d days", days), type_=Date)
        return (day + days).cast(Date)

    def _latest(self, *days) -> ColumnElement[date]:
        return (func.max if self.dialect == "sqlite" else func.greatest)(*days, type_=Date)

    def _desired(self) -> Select:
        """Every (invoice, step) the plan wants, with the local date and window of its send slot."""
        invoice, client, account = aliased(Invoice), aliased(Client), aliased(Account)
        invoice_paused = and_(invoice.reminders_paused, invoice.reminders_paused_until.is_(None))
        client_policy, account_policy = aliased(ReminderPolicy), aliased(ReminderPolicy)
        step = self._steps()
        adaptation = aliased(ClientAdaptation)
        adapted = adaptive.adapt_step(
            adaptation=adaptation,
            client_name=client.name,
            offset_days=step.c.offset_days,
            template_key=step.c.template_key,
            extra=step.c.extra,
        )
        step_date = self._add_days(invoice.due_date, step.c.offset_days)
        # A pause with an end date holds the steps until then; an open-ended pause plans nothing.
        client_pause = case((client.reminders_paused, client.reminders_paused_until), else_=null())
        invoice_pause = case((invoice.reminders_paused, invoice.reminders_paused_until), else_=null())
        invoice_hold = case((invoice.hold_kind.is_not(None), invoice.hold_until), else_=null())
        send_date = self._latest(
            step_date,
            func.coalesce(client_pause, step_date),
            func.coalesce(invoice_pause, step_date),
            func.coalesce(invoice_hold, step_date),
        )
        return (
            select(
                invoice.id.label("invoice_id"),
                invoice.account_id.label("account_id"),
                invoice.due_date.label("due_date"),
                step.c.step_key.label("step_key"),
                step.c.offset_days.label("offset_days"),
                adapted.template_key.label("template_key"),
                adapted.state.label("state"),
                adapted.reason.label("reason"),
                adapted.detail.label("detail"),
                send_date.label("send_date"),
                func.coalesce(client.timezone, account.timezone, type_=String).label("timezone"),
                account.send_window_start.label("window_start"),
                account.send_weekdays.label("weekdays"),
            )
            .select_from(invoice)
            .join(client, client.id == invoice.client_id)
            .join(account, account.id == invoice.account_id)
            .outerjoin(client_policy, client_policy.client_id == client.id)
            .outerjoin(
                account_policy,
                and_(account_policy.account_id == invoice.account_id, account_policy.client_id.is_(None)),
            )
            .join(step, step.c.policy_id == func.coalesce(client_policy.id, account_policy.id))
            .outerjoin(adaptation, adaptation.client_id == client.id)
            .where(
                adapted.wanted,
                self._scope(invoice, client, bound=True),
                invoice.status.in_(PLANNABLE_STATUSES),
                invoice.reminders_excluded.is_(False),
                # A paused invoice planned all the same gets one row, its policy's first step, to say why.
                or_(~invoice_paused, step.c.first) if self.plan_paused else ~invoice_paused,
                ~and_(client.reminders_paused, client.reminders_paused_until.is_(None)),
                ~and_(invoice.hold_kind.is_not(None), invoice.hold_until.is_(None)),
                client.unsubscribed_at.is_(None),
                client.deleted_at.is_(None),
            )
        )

    @staticmethod
    def _steps():
        """Every policy's steps, plus the extra early step a chronic late payer may get: offered
        to each policy without a step that early, kept by `_desired` only for those clients."""
        step, policy = aliased(ReminderPolicyStep), aliased(ReminderPolicy)
        has_early_step = exists().where(step.policy_id == policy.id, step.offset_days <= adaptive.EXTRA_STEP_OFFSET)
        policy_steps = select(
            step.policy_id.label("policy_id"),
            step.offset_days.label("offset_days"),
            step.step_key.label("step_key"),
            step.template_key.label("template_key"),
            false().label("extra"),
            (step.offset_days == func.min(step.offset_days).over(partition_by=step.policy_id)).label("first"),
        )
        extra_steps = select(
            policy.id,
            literal(adaptive.EXTRA_STEP_OFFSET),
            literal(adaptive.EXTRA_STEP_KEY),
            literal("friendly"),
            true(),
            false(),
        ).where(~has_early_step, exists().where(ReminderPolicyStep.policy_id == policy.id))
        return union_all(policy_steps, extra_steps).subquery("steps")

    @property
    def _desired_once(self):
        """`_desired()` computed once per statement (executed with `_scope_params`).

        On PostgreSQL a MATERIALIZED CTE: inlined, and misled by stale statistics right after
        a bulk insert, it may be re-run for every reminder row (minutes instead of a second).
        SQLite plans the subquery well, and reports no row counts for statements with WITH.

        Built once per shape of run and kept: building the expression took longer than running it
        for the one invoice an API request plans (40-80 ms of Python per statement).
        """
        shape = (self.dialect, self.invoice_ids is not None, self.account_id is not None, self.plan_paused)
        with _DESIRED_LOCK:
            if shape not in _DESIRED:
                desired = self._desired()
                desired = (
                    desired.cte("desired").prefix_with("MATERIALIZED")
                    if self.dialect == "postgresql"
                    else desired.subquery("desired")
                )
                desired.c  # noqa: B018 - its column collection is set up lazily: once, here, not by two threads
                _DESIRED[shape] = desired
            return _DESIRED[shape]

    @staticmethod
    def _slot_join(desired, slot) -> ColumnElement[bool]:
        return and_(
            slot.local_date == desired.c.send_date,
            slot.timezone == desired.c.timezone,
            slot.window_start_minute == desired.c.window_start,
            slot.weekdays == desired.c.weekdays,
        )

    def _insert(self, table):
        return (sqlite.insert if self.dialect == "sqlite" else postgresql.insert)(table)

    def _ensure_default_policies(self) -> None:
        invoice, client, policy = aliased(Invoice), aliased(Client), aliased(ReminderPolicy)
        accounts_in_scope = (
            select(invoice.account_id)
            .join(client, client.id == invoice.client_id)
            .where(self._scope(invoice, client), invoice.status.in_(PLANNABLE_STATUSES))
        )
        has_default = exists().where(policy.account_id == Account.id, policy.client_id.is_(None))
        new_policy_ids = self.session.scalars(
            self._insert(ReminderPolicy)
            .from_select(
                ["account_id", "client_id", "created_at", "updated_at"],
                select(
                    Account.id,
                    null(),
                    literal(self.now, UTCDateTime()),
                    literal(self.now, UTCDateTime()),
                ).where(Account.id.in_(accounts_in_scope), ~has_default),
            )
            .on_conflict_do_nothing()
            .returning(ReminderPolicy.id)
        ).all()
        if new_policy_ids:
            self.session.execute(
                self._insert(ReminderPolicyStep),
                [
                    {
                        "policy_id": policy_id,
                        "position": position,
                        "offset_days": step.offset_days,
                        "step_key": step.step_key,
                        "template_key": step.template_key,
                    }
                    for policy_id in new_policy_ids
                    for position, step in enumerate(DEFAULT_STEPS)
                ],
            )

    def _refresh_adaptations(self) -> None:
        invoice, client = aliased(Invoice), aliased(Client)
        clients = (
            select(invoice.client_id).join(client, client.id == invoice.client_id).where(self._scope(invoice, client))
        )
        changed = adaptive.refresh(self.session, clients=clients, now=self.now, thresholds=self.thresholds)
        if changed:
            # Their other open invoices follow the new adaptation: this run plans them when it
            # scans for unplanned invoices, the next periodic run otherwise. (Not those this run
            # names: it plans them now, and an import's come stamped as planned already.)
            others = [Invoice.reminders_planned_at.is_not(None)]
            if self.invoice_ids is not None:
                others.append(~in_ids(Invoice.id, "plan_invoice_ids", self.dialect, self._ids_value))
            mark_for_planning(
                self.session, Invoice.client_id.in_(changed), Invoice.status.in_(PLANNABLE_STATUSES), *others
            )

    def _fill_missing_slots(self) -> int:
        desired = self._desired_once
        slot = aliased(ReminderSendSlot)
        missing = self.session.execute(
            select(desired.c.send_date, desired.c.timezone, desired.c.window_start, desired.c.weekdays)
            .distinct()
            .outerjoin(slot, self._slot_join(desired, slot))
            .where(slot.send_at.is_(None)),
            self._scope_params,
        ).all()
        if not missing:
            return 0
        rows = [
            {
                "local_date": local_date,
                "timezone": timezone,
                "window_start_minute": window_start,
                "weekdays": weekdays,
                # The slot needs only the opening time; the closing time matters when sending late.
                "send_at": SendWindow(window_start, 24 * 60, weekdays).first_slot(local_date, timezone),
            }
            for local_date, timezone, window_start, weekdays in missing
        ]
        self.session.execute(self._insert(ReminderSendSlot).on_conflict_do_nothing(), rows)
        if self.dialect == "postgresql":
            # Fresh statistics, or PostgreSQL may think the table is empty and nest-loop the join
            # against every planned step (seconds instead of milliseconds); the table is small.
            self.session.execute(text("ANALYZE reminder_send_slots"))
        return len(rows)

    def _cancel_outdated(self) -> int:
        desired = self._desired_once
        still_wanted = exists().where(
            desired.c.invoice_id == Reminder.invoice_id,
            desired.c.due_date == Reminder.due_date,
            desired.c.step_key == Reminder.step_key,
        )
        reason = case(
            (Invoice.status == InvoiceStatus.paid.value, "paid"),
            (Invoice.status == InvoiceStatus.void.value, "void"),
            (Invoice.status == InvoiceStatus.draft.value, "draft"),
            (Client.deleted_at.is_not(None), "client_deleted"),
            (Client.unsubscribed_at.is_not(None), "unsubscribed"),
            (Invoice.reminders_excluded, "excluded"),
            (and_(Invoice.reminders_paused, Invoice.reminders_paused_until.is_(None)), "paused"),
            (and_(Client.reminders_paused, Client.reminders_paused_until.is_(None)), "client_paused"),
            (and_(Invoice.hold_kind.is_not(None), Invoice.hold_until.is_(None)), "on_hold"),
            (Reminder.due_date != Invoice.due_date, "due_date_changed"),
            (Reminder.reason == adaptive.EXTRA_STEP, "adaptation_changed"),
            else_="policy_changed",
        )
        return self._execute(
            update(Reminder)
            .where(
                Reminder.invoice_id == Invoice.id,
                Client.id == Invoice.client_id,
                Reminder.state == ReminderState.pending,
                self._scope(Invoice, Client),
                ~still_wanted,
            )
            .values(state=ReminderState.canceled, reason=reason, detail=None, updated_at=self.now)
            .execution_options(synchronize_session=False),
            "reminder.canceled",
        )

    def _reschedule_changed(self) -> int:
        desired = self._desired_once
        slot = aliased(ReminderSendSlot)
        wanted = (
            select(
                desired.c.invoice_id,
                desired.c.due_date,
                desired.c.step_key,
                desired.c.template_key,
                desired.c.state,
                desired.c.reason,
                desired.c.detail,
                slot.send_at,
            )
            .join(slot, self._slot_join(desired, slot))
            .subquery("wanted")
        )
        # A retry or a send-now keeps its own next attempt; an untouched row moves with its slot.
        untouched = and_(Reminder.attempts == 0, Reminder.manual.is_(False))
        # An adaptation's reason replaces the row's; one no longer adapted loses its old one.
        was_adapted = Reminder.reason.like("adaptive\\_%", escape="\\")
        skip = and_(wanted.c.state == ReminderState.skipped, Reminder.manual.is_(False))
        return self._execute(
            update(Reminder)
            .where(
                Reminder.invoice_id == wanted.c.invoice_id,
                Reminder.due_date == wanted.c.due_date,
                Reminder.step_key == wanted.c.step_key,
                Reminder.state == ReminderState.pending,
                or_(
                    Reminder.scheduled_for != wanted.c.send_at,
                    Reminder.template_key != wanted.c.template_key,
                    skip,
                    and_(wanted.c.reason.is_not(None), Reminder.detail.is_distinct_from(wanted.c.detail)),
                    and_(wanted.c.reason.is_(None), was_adapted),
                ),
            )
            .values(
                scheduled_for=wanted.c.send_at,
                template_key=wanted.c.template_key,
                state=case((skip, ReminderState.skipped), else_=ReminderState.pending),
                reason=case(
                    (wanted.c.reason.is_not(None), wanted.c.reason), (was_adapted, null()), else_=Reminder.reason
                ),
                detail=case(
                    (wanted.c.reason.is_not(None), wanted.c.detail), (was_adapted, null()), else_=Reminder.detail
                ),
                next_attempt_at=case((untouched, wanted.c.send_at), else_=Reminder.next_attempt_at),
                updated_at=self.now,
            )
            .execution_options(synchronize_session=False),
            "reminder.scheduled",
        )

    def _insert_missing(self) -> int:
        desired = self._desired_once
        slot = aliased(ReminderSendSlot)
        now = literal(self.now, UTCDateTime())
        first = FirstRows(desired.c.state, desired.c.reason, desired.c.detail)
        if self.first_states is not None:
            first = self.first_states(desired, slot.send_at)
        columns = {
            "account_id": desired.c.account_id,
            "invoice_id": desired.c.invoice_id,
            "due_date": desired.c.due_date,
            "step_key": desired.c.step_key,
            "offset_days": desired.c.offset_days,
            "template_key": desired.c.template_key,
            "scheduled_for": slot.send_at,
            "state": first.state,
            "reason": first.reason,
            "detail": first.detail,
            "attempts": literal(0),
            "next_attempt_at": slot.send_at,
            "uncertain_sends": literal(0),
            "manual": false(),
            "is_test": false(),
            "created_at": now,
            "updated_at": now,
        }
        rows = (
            select(*(value.label(name) for name, value in columns.items()))
            .join(slot, self._slot_join(desired, slot))
            # SQLite needs a WHERE before ON CONFLICT to parse INSERT ... SELECT ... ON CONFLICT.
            .where(slot.send_at.is_not(None))
        )
        if first.kept is not None:
            # `kept` may look at the invoice's other rows (a window), which a WHERE cannot: filtered outside.
            planned = rows.add_columns(first.kept.label("kept")).subquery("planned")
            rows = select(*(planned.c[name] for name in columns)).where(planned.c.kept)
        return self._execute(
            self._insert(Reminder)
            .from_select(list(columns), rows)
            .on_conflict_do_nothing()
            # An INSERT's rowcount is only kept when asked for (SQLAlchemy drops it otherwise); "raw": the
            # parameters are the scope's, not rows to insert (the ORM's bulk INSERT).
            .execution_options(preserve_rowcount=True, dml_strategy="raw"),
            "reminder.scheduled",
        )

    def _execute(self, statement: Any, kind: str) -> int:
        """Run a statement changing reminders: how many rows. With `_reporting`, it returns them and the
        canceled ones (`reminder.canceled`), or the pending ones it inserted or moved (`reminder.scheduled`),
        are reported to the subscribed endpoints in this transaction."""
        if not self._reporting:
            return self.session.execute(statement, self._scope_params).rowcount or 0
        returning = statement.returning(Reminder.id, Reminder.account_id, Reminder.state)
        rows = self.session.execute(returning, self._scope_params).all()
        state = ReminderState.canceled if kind == "reminder.canceled" else ReminderState.pending
        changed = [(row.id, row.account_id) for row in rows if row.state == state]
        outgoing_webhooks.reminders_changed(self.session, kind, changed, now=self.now)
        return len(rows)

    def _stamp_planned(self) -> int:
        result = self.session.execute(
            update(Invoice)
            .where(Client.id == Invoice.client_id, self._scope(Invoice, Client))
            .values(reminders_planned_at=self.now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0
