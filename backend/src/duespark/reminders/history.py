"""What was actually sent about invoices, read in one grouped query, for `tone.choose_step`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from duespark.models import Reminder, ReminderPolicy
from duespark.reminders.planner import ReminderState
from duespark.reminders.policy import zone
from duespark.reminders.tone import DEFAULT_FINAL_GAP_DAYS, OVERDUE_TONES, History


def sent_histories(
    session: Session, invoice_ids: Iterable[int], *, timezones: dict[int, str | None], test: dict[int, bool]
) -> dict[int, History]:
    """Per invoice, the reminders sent so far. Live accounts count only live emails (the samples of
    test mode reached no client); `timezones` and `test` are by invoice id."""
    ids = list(set(invoice_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            Reminder.invoice_id,
            Reminder.is_test,
            func.count(),
            func.sum(case((Reminder.template_key.in_(OVERDUE_TONES), 1), else_=0)),
            func.max(case((Reminder.template_key == "final", 1), else_=0)),
            func.max(Reminder.sent_at),
        )
        .where(Reminder.invoice_id.in_(ids), Reminder.state == ReminderState.sent)
        .group_by(Reminder.invoice_id, Reminder.is_test)
    ).all()
    totals: dict[int, list] = {}
    for invoice_id, is_test, count, overdue, final, last in rows:
        if is_test and not test.get(invoice_id, False):
            continue
        entry = totals.setdefault(invoice_id, [0, 0, False, None])
        entry[0] += int(count)
        entry[1] += int(overdue or 0)
        entry[2] = entry[2] or bool(final)
        if last is not None and (entry[3] is None or last > entry[3]):
            entry[3] = last
    return {
        invoice_id: History(
            sent=sent,
            overdue_sent=overdue,
            final_sent=final,
            last_sent_on=_local_date(last, timezones.get(invoice_id)),
        )
        for invoice_id, (sent, overdue, final, last) in totals.items()
    }


def _local_date(instant: datetime | None, timezone: str | None) -> date | None:
    return None if instant is None else instant.astimezone(zone(timezone)).date()


def final_gaps(session: Session, account_ids: Iterable[int]) -> dict[int, int]:
    """The accounts' `final_notice_min_days` (their default policy's), 7 days where none is stored."""
    ids = list(set(account_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(ReminderPolicy.account_id, ReminderPolicy.final_notice_min_days).where(
            ReminderPolicy.account_id.in_(ids), ReminderPolicy.client_id.is_(None)
        )
    ).all()
    gaps = dict.fromkeys(ids, DEFAULT_FINAL_GAP_DAYS)
    gaps.update({account_id: days for account_id, days in rows if days is not None})
    return gaps
