"""Adaptive reminders: each client's schedule and tone follow how they have paid.

Once per planning run, one grouped query reads the payment history of the clients being
planned; a few lines of Python per client (bounded by clients, never by invoices) turn it
into a profile and a sentence quoting the numbers, kept in `client_adaptations`. The
planner joins that table in SQL:

- early payers (rated early, enough history): pre-due steps are recorded as skipped (a courtesy
  pause before the due date), unless they broke their promises to pay: at least one promise missed,
  and no fewer missed than kept, among those resolved in the last PROMISE_WINDOW_DAYS days. Their
  pre-due steps go out, and say why ("Skipped the courtesy pause: 2 of 3 promises to pay were missed
  since June 4, 2026.");
- chronic late payers: an extra friendly step 7 days before the due date, and every step
  after the due date one tone firmer, but never into a final notice (that would make two
  "last notice" emails with different deadlines);
- first-time clients (nothing paid yet): no tone firmer than friendly before the due date
  or due_today on it;
- enterprise clients: the professional wording of the templates (email/compose.py);
- a client whose last 3 invoices were paid only after the final notice is flagged for a
  personal follow-up.

Each adaptation is written on the reminder as a reason code and a plain-language detail.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, case, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from duespark.insights.behaviour import DelayStats, PayerRating, RatingThresholds, rate
from duespark.insights.sql import days_between, local_date
from duespark.models import Account, Client, ClientAdaptation, ClientAnswer, Invoice, Reminder
from duespark.models.enums import ClientType, InvoiceStatus
from duespark.reminders.policy import TEMPLATE_KEYS, step_key

EARLY = "early"
CHRONIC_LATE = "chronic_late"
FIRST_TIME = "first_time"

EXTRA_STEP_OFFSET = -7
EXTRA_STEP_KEY = step_key(EXTRA_STEP_OFFSET)
FOLLOW_UP_AFTER_FINALS = 3
# Promises to pay resolved (kept or missed) this recently count against the courtesy pause.
PROMISE_WINDOW_DAYS = 183

# Reason codes on reminders; the detail column holds the sentence.
SKIPPED = "adaptive_skipped"
EXTRA_STEP = "adaptive_extra_step"
ESCALATED = "adaptive_escalated"
FRIENDLY = "adaptive_friendly"
PROFESSIONAL = "adaptive_professional"
PROMISES_MISSED = "adaptive_promises_missed"
COURTESY_SKIPPED = "Skipped the courtesy pause"
REASON_TEXT = {
    SKIPPED: "Skipped: this client reliably pays early.",
    EXTRA_STEP: "An extra early reminder: this client usually pays late.",
    ESCALATED: "One tone firmer: this client usually pays late.",
    FRIENDLY: "Friendly tone: this client has not paid an invoice yet.",
    PROFESSIONAL: "Professional wording: this is an enterprise client.",
    PROMISES_MISSED: "Sent before the due date: this client missed promises to pay.",
    "adaptation_changed": "The client's payment behaviour changed; this extra step is no longer needed.",
}


@dataclass(frozen=True)
class Adaptation:
    profile: str | None
    summary: str | None
    professional: bool
    paid_invoices: int
    follow_up_reason: str | None
    promise_note: str | None = None


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _invoices(n: int) -> str:
    return f"{n} invoice" if n == 1 else f"{n} invoices"


# Not strftime("%B"): that follows the process's locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def promise_window_start(now: datetime) -> date:
    """The first day whose resolved promises count (UTC)."""
    return (now - timedelta(days=PROMISE_WINDOW_DAYS)).date()


def broke_promises(kept: int, missed: int) -> bool:
    """The rule: at least one promise missed, and no fewer missed than kept."""
    return missed >= 1 and missed >= kept


def promise_note(kept: int, missed: int, since: date) -> str | None:
    """ "2 of 3 promises to pay were missed since June 4, 2026", when the promises were broken."""
    if not broke_promises(kept, missed):
        return None
    total = kept + missed
    noun = "promise to pay was" if total == 1 else "promises to pay were"
    return f"{missed} of {total} {noun} missed since {_MONTHS[since.month - 1]} {since.day}, {since.year}"


def adaptation_for(
    *,
    name: str,
    client_type: str,
    enabled: bool,
    paid: int,
    total_days: int,
    after_final: int,
    thresholds: RatingThresholds,
    kept: int = 0,
    missed: int = 0,
    since: date | None = None,
) -> Adaptation:
    """What the history means for the schedule, with the sentence every reason quotes. `kept`/`missed`:
    the client's promises to pay resolved since `since`; broken ones cost an early payer the courtesy pause."""
    if not enabled:
        return Adaptation(None, None, False, paid, None)
    rating = rate(DelayStats(paid_invoices=paid, total_days=total_days), thresholds)
    typical = int(abs(total_days / paid) + 0.5) if paid else 0
    profile = summary = None
    if paid == 0:
        profile, summary = FIRST_TIME, f"{name} has not paid an invoice yet"
    elif rating == PayerRating.early:
        profile, summary = EARLY, f"{name} pays {_days(typical)} early on average over {_invoices(paid)}"
    elif rating == PayerRating.chronic_late:
        profile, summary = CHRONIC_LATE, f"{name} pays {_days(typical)} late on average over {_invoices(paid)}"
    follow_up = None
    if after_final >= FOLLOW_UP_AFTER_FINALS:
        follow_up = (
            f"{name} paid the last {FOLLOW_UP_AFTER_FINALS} invoices only after the final notice; "
            "a personal call or email may work better than another reminder."
        )
    note = promise_note(kept, missed, since) if profile == EARLY and since is not None else None
    return Adaptation(profile, summary, client_type == ClientType.enterprise, paid, follow_up, note)


def _history(clients: Select) -> Any:
    """Per client of `clients`: paid invoices, the sum of their delays, and how many of the
    last few were paid only after a final notice had gone out. One GROUP BY."""
    final_sent = exists().where(
        Reminder.invoice_id == Invoice.id,
        Reminder.template_key == "final",
        Reminder.state == "sent",
        Reminder.sent_at <= Invoice.paid_at,
    )
    paid = (
        select(
            Invoice.client_id,
            days_between(local_date(Invoice.paid_at, Account.timezone), Invoice.due_date).label("delay"),
            func.row_number()
            .over(partition_by=Invoice.client_id, order_by=(Invoice.paid_at.desc(), Invoice.id.desc()))
            .label("recency"),
            final_sent.label("after_final"),
        )
        .join(Account, Account.id == Invoice.account_id)
        .where(
            Invoice.client_id.in_(clients),
            Invoice.status == InvoiceStatus.paid.value,
            Invoice.paid_at.is_not(None),
        )
        .subquery("paid")
    )
    recent_after_final = and_(paid.c.recency <= FOLLOW_UP_AFTER_FINALS, paid.c.after_final)
    return (
        select(
            paid.c.client_id,
            func.count().label("paid"),
            func.sum(paid.c.delay).label("total_days"),
            func.sum(case((recent_after_final, 1), else_=0)).label("after_final"),
        )
        .group_by(paid.c.client_id)
        .subquery("history")
    )


def _promises(clients: Select, since: date) -> Any:
    """Per client of `clients`: promises to pay kept and missed, resolved on or after `since`. One GROUP BY."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    return (
        select(
            ClientAnswer.client_id,
            func.sum(case((ClientAnswer.status == "kept", 1), else_=0)).label("kept"),
            func.sum(case((ClientAnswer.status == "missed", 1), else_=0)).label("missed"),
        )
        .where(
            ClientAnswer.client_id.in_(clients),
            ClientAnswer.kind == "promise",
            ClientAnswer.status.in_(("kept", "missed")),
            ClientAnswer.resolved_at >= start,
        )
        .group_by(ClientAnswer.client_id)
        .subquery("promises")
    )


def refresh(session: Session, *, clients: Select, now: datetime, thresholds: RatingThresholds) -> list[int]:
    """Recompute the adaptations of `clients` (a select of client ids); returns the clients whose
    adaptation changed, so their other invoices can be planned again."""
    history = _history(clients)
    since = promise_window_start(now)
    promises = _promises(clients, since)
    current = aliased(ClientAdaptation)
    rows = session.execute(
        select(
            Client.id,
            Client.account_id,
            Client.name,
            Client.client_type,
            func.coalesce(Client.adaptive_reminders, Account.adaptive_reminders).label("enabled"),
            Client.follow_up_reason,
            func.coalesce(history.c.paid, 0).label("paid"),
            func.coalesce(history.c.total_days, 0).label("total_days"),
            func.coalesce(history.c.after_final, 0).label("after_final"),
            func.coalesce(promises.c.kept, 0).label("kept"),
            func.coalesce(promises.c.missed, 0).label("missed"),
            current.client_id.label("known"),
            current.profile,
            current.summary,
            current.professional,
            current.promise_note,
        )
        .join(Account, Account.id == Client.account_id)
        .outerjoin(history, history.c.client_id == Client.id)
        .outerjoin(promises, promises.c.client_id == Client.id)
        .outerjoin(current, current.client_id == Client.id)
        .where(Client.id.in_(clients))
    ).all()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    follow_ups: list[dict[str, Any]] = []
    for row in rows:
        adaptation = adaptation_for(
            name=row.name,
            client_type=row.client_type,
            enabled=bool(row.enabled),
            paid=int(row.paid),
            total_days=int(row.total_days),
            after_final=int(row.after_final),
            thresholds=thresholds,
            kept=int(row.kept),
            missed=int(row.missed),
            since=since,
        )
        if row.known is None or (row.profile, row.summary, bool(row.professional), row.promise_note) != (
            adaptation.profile,
            adaptation.summary,
            adaptation.professional,
            adaptation.promise_note,
        ):
            (new if row.known is None else changed).append(
                {
                    "client_id": row.id,
                    "account_id": row.account_id,
                    "profile": adaptation.profile,
                    "summary": adaptation.summary,
                    "professional": adaptation.professional,
                    "promise_note": adaptation.promise_note,
                    "paid_invoices": adaptation.paid_invoices,
                    "refreshed_at": now,
                }
            )
        if row.follow_up_reason != adaptation.follow_up_reason:
            follow_ups.append({"client_id": row.id, "reason": adaptation.follow_up_reason})
    if new:
        # A concurrent planner may insert the same client first: it computed the same row.
        dialect_insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
        session.execute(dialect_insert(ClientAdaptation).on_conflict_do_nothing(), new)
    if changed:
        session.execute(
            # Core, not ORM: one executemany, with nothing in the session to synchronize.
            update(ClientAdaptation.__table__)
            .where(ClientAdaptation.__table__.c.client_id == bindparam("key"))
            .values(
                profile=bindparam("profile"),
                summary=bindparam("summary"),
                professional=bindparam("professional"),
                promise_note=bindparam("promise_note"),
                paid_invoices=bindparam("paid_invoices"),
                refreshed_at=bindparam("refreshed_at"),
            ),
            [{"key": c["client_id"], **{k: c[k] for k in _UPDATED}} | {"refreshed_at": now} for c in changed],
        )
    for follow_up in follow_ups:
        # Not a client edit: updated_at stays, or every flag change would re-plan the client.
        session.execute(
            update(Client)
            .where(Client.id == follow_up["client_id"])
            .values(needs_personal_follow_up=follow_up["reason"] is not None, follow_up_reason=follow_up["reason"])
            .execution_options(synchronize_session=False)
        )
    return [c["client_id"] for c in (*new, *changed)]


_UPDATED = ("profile", "summary", "professional", "promise_note", "paid_invoices")


def _escalated(template: Any) -> Any:
    """The next firmer tone; the final notice stays final."""
    return case(
        *((template == key, firmer) for key, firmer in itertools.pairwise(TEMPLATE_KEYS)),
        else_=template,
    )


def _text(value: str) -> Any:
    return literal(value, String())


@dataclass(frozen=True)
class AdaptedStep:
    """SQL expressions for one (invoice, step) of the planner's desired set."""

    template_key: Any
    state: Any
    reason: Any
    detail: Any
    wanted: Any  # False for the extra step of a client who is not a chronic late payer


def adapt_step(*, adaptation: Any, client_name: Any, offset_days: Any, template_key: Any, extra: Any) -> AdaptedStep:
    """The adapted tone, state and reason of a policy step (or of the extra step) for a client."""
    profile = adaptation.profile
    summary = adaptation.summary
    early_pre_due = and_(profile == EARLY, offset_days < 0)
    # An early payer who broke promises to pay gets no courtesy pause: the step goes, saying why.
    courtesy_withheld = and_(early_pre_due, adaptation.promise_note.is_not(None))
    skip = and_(early_pre_due, adaptation.promise_note.is_(None))
    firmer = _escalated(template_key)
    # Never escalated into a final notice: one final per invoice, from the policy's own final step.
    escalate = and_(profile == CHRONIC_LATE, offset_days > 0, firmer != template_key, firmer != _text("final"))
    cap_before = and_(profile == FIRST_TIME, offset_days < 0, template_key != "friendly")
    cap_on_due = and_(profile == FIRST_TIME, offset_days == 0, template_key.in_(("firm", "urgent", "final")))
    capped = case((cap_before, _text("friendly")), (cap_on_due, _text("due_today")), else_=None)
    is_extra = and_(extra, profile == CHRONIC_LATE)
    adapted_template = case(
        (escalate, firmer), (cap_before, _text("friendly")), (cap_on_due, _text("due_today")), else_=template_key
    )
    main_reason = case(
        (skip, _text(SKIPPED)),
        (courtesy_withheld, _text(PROMISES_MISSED)),
        (is_extra, _text(EXTRA_STEP)),
        (escalate, _text(ESCALATED)),
        (or_(cap_before, cap_on_due), _text(FRIENDLY)),
        else_=None,
    )
    main_detail = case(
        (skip, "Skipped: " + summary + "."),
        (courtesy_withheld, _text(COURTESY_SKIPPED + ": ") + adaptation.promise_note + "."),
        (is_extra, _text(f"Extra reminder {-EXTRA_STEP_OFFSET} days before the due date: ") + summary + "."),
        (escalate, "Escalated from " + template_key + " to " + firmer + ": " + summary + "."),
        (
            or_(cap_before, cap_on_due),
            "Friendly tone (" + capped + " instead of " + template_key + "): " + summary + ".",
        ),
        else_=None,
    )
    professional = func.coalesce(adaptation.professional, False)
    professional_text = "Professional wording: " + client_name + " is an enterprise client."
    return AdaptedStep(
        template_key=adapted_template,
        state=case((skip, _text("skipped")), else_=_text("pending")),
        reason=func.coalesce(main_reason, case((professional, _text(PROFESSIONAL)), else_=None)),
        detail=case(
            (and_(main_detail.is_not(None), professional), main_detail + " " + professional_text),
            (professional, professional_text),
            else_=main_detail,
        ),
        wanted=or_(~extra, profile == CHRONIC_LATE),
    )
