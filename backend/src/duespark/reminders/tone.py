"""Which email a planned step becomes on the day it actually goes out (invariant 13).

A step is planned with a tone for its moment ("due in 3 days", "due today", "7 days overdue").
It may go out later than planned: caught up after an import or a pause, or held back. The
wording must be true on the day it is sent, and the tone ladder restarts at first contact:

- date truth: before the due date only `friendly`; on it `due_today` (or `friendly`); after it
  one of the overdue tones (`firm`, `urgent`, `final`), which state the days overdue as of today;
- first contact: the first email a client gets about an invoice is never `urgent` or `final`;
- titles match what was sent: `urgent` is titled "second reminder" ("Zweite Mahnung"), so it
  goes only after an earlier overdue email; otherwise it goes as `firm`, the first overdue one;
- one final notice per invoice, only after at least one earlier email and at least
  `final_gap_days` after the last one: earlier, the final step waits (or, asked for by hand,
  goes as the firmest tone allowed today).

`choose_step` is pure: the dispatcher calls it with the invoice's history just before sending,
and the import preview calls it to show what would go out today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

OVERDUE_TONES = ("firm", "urgent", "final")
PRE_DUE_TONES = ("friendly",)
DEFAULT_FINAL_GAP_DAYS = 7
MAX_FINAL_GAP_DAYS = 90

SEND = "send"
WAIT = "wait"
SKIP = "skip"

# Reason codes written on the reminder, with the sentence the timeline shows.
TONE_FOR_TODAY = "tone_for_today"
FIRST_CONTACT = "first_contact"
FINAL_WAITS = "final_waits"
FINAL_ALREADY_SENT = "final_already_sent"
REASON_TEXT = {
    TONE_FOR_TODAY: "Worded for the day it went out, not the day it was planned.",
    FIRST_CONTACT: "The first email about this invoice: a first reminder, never an urgent or final notice.",
    FINAL_WAITS: "The final notice waits until enough days have passed since the last reminder.",
    FINAL_ALREADY_SENT: "A final notice was already sent for this invoice; only one is sent.",
}


@dataclass(frozen=True)
class History:
    """What was actually sent about one invoice before now."""

    sent: int = 0  # reminder emails sent (a statement counts for each invoice it lists)
    overdue_sent: int = 0  # of which in an overdue tone (firm, urgent, final)
    final_sent: bool = False
    last_sent_on: date | None = None  # local date of the latest one


@dataclass(frozen=True)
class StepChoice:
    template_key: str
    action: str = SEND  # send | wait | skip
    wait_until: date | None = None  # local date the row waits for (action wait)
    reason: str | None = None
    detail: str | None = None


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _for_the_date(planned: str, *, due_date: date, today: date) -> str:
    if today > due_date:
        return planned if planned in OVERDUE_TONES else "firm"
    if today == due_date:
        return planned if planned in ("friendly", "due_today") else "due_today"
    return "friendly"


def choose_step(
    planned: str,
    *,
    due_date: date,
    today: date,
    history: History,
    final_gap_days: int = DEFAULT_FINAL_GAP_DAYS,
    manual: bool = False,
) -> StepChoice:
    """The template a step planned as `planned` is sent with on the local date `today`.

    `manual` (send now, asked for by the user) never waits or is skipped: it goes with the
    firmest tone the ladder allows today.
    """
    key = _for_the_date(planned, due_date=due_date, today=today)
    reason = None
    detail = None
    if key != planned:
        reason = TONE_FOR_TODAY
        if today > due_date:
            when = f"it goes out {_days((today - due_date).days)} after the due date"
        elif today == due_date:
            when = "it goes out on the due date"
        else:
            when = f"it goes out {_days((due_date - today).days)} before the due date"
        detail = f"Sent as {key} instead of {planned}: {when}."
    if key == "final":
        if history.final_sent:
            if not manual:
                return StepChoice(
                    planned,
                    SKIP,
                    reason=FINAL_ALREADY_SENT,
                    detail="Skipped: a final notice was already sent for this invoice; only one is sent.",
                )
            key = "urgent"
        elif history.sent == 0:
            key = "firm"
            reason = FIRST_CONTACT
            detail = (
                f"Sent as a first reminder (firm) instead of {planned}: it is the first email about this "
                "invoice, and a final notice only follows an earlier reminder."
            )
        elif history.last_sent_on is not None and today < history.last_sent_on + timedelta(days=final_gap_days):
            ready = history.last_sent_on + timedelta(days=final_gap_days)
            if not manual:
                return StepChoice(
                    planned,
                    WAIT,
                    wait_until=ready,
                    reason=FINAL_WAITS,
                    detail=f"The final notice waits until {ready.isoformat()}: at least "
                    f"{_days(final_gap_days)} after the last reminder ({history.last_sent_on.isoformat()}).",
                )
            key = "urgent"
    if key == "urgent" and history.overdue_sent == 0:
        first = history.sent == 0
        reason = FIRST_CONTACT if first else TONE_FOR_TODAY
        detail = f"Sent as firm instead of {planned}: " + (
            "it is the first email about this invoice." if first else "no overdue reminder was sent before it."
        )
        key = "firm"
    return StepChoice(key, SEND, reason=reason, detail=detail)
