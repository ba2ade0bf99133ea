"""The last rules a claimed, sendable row meets just before it goes (after the re-check and the send
window): what it says on the day it goes (tone.choose_step), then the volume guards (volume.VolumeGate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from duespark.models import Account, Client, Invoice, Reminder
from duespark.reminders.claims import merge_key
from duespark.reminders.policy import SendWindow, zone
from duespark.reminders.tone import SEND, SKIP, WAIT, History, choose_step
from duespark.reminders.volume import HOLD, SEND_BUDGET, SUMMARIZE, SUMMARY_DETAIL, TEST_SUMMARY, VolumeGate


@dataclass(frozen=True)
class Verdict:
    action: str  # send | skip | hold
    hold_until: datetime | None = None
    reason: str | None = None
    detail: str | None = None


def send_verdict(
    reminder: Reminder,
    invoice: Invoice,
    client: Client,
    account: Account,
    *,
    now: datetime,
    window: SendWindow,
    history: History,
    final_gap_days: int,
    gate: VolumeGate,
) -> Verdict:
    """send (with the reason the tone differs from the plan, if it does), skip or hold, with the reason
    to write on the row. The row's `template_key` becomes the tone it is sent with."""
    timezone = client.timezone or account.timezone
    choice = choose_step(
        reminder.template_key,
        due_date=invoice.due_date,
        today=now.astimezone(zone(timezone)).date(),
        history=history,
        final_gap_days=final_gap_days,
        manual=reminder.manual,
    )
    if choice.action == SKIP:
        return Verdict(SKIP, reason=choice.reason, detail=choice.detail)
    if choice.action == WAIT:
        assert choice.wait_until is not None
        return Verdict(HOLD, window.first_slot(choice.wait_until, timezone), choice.reason, choice.detail)
    reminder.template_key = choice.template_key
    if not reminder.manual:  # send-now was asked for by the user: never held or summarized
        decision, until = gate.decide(account, merge_key(reminder, invoice, client, account, now))
        if decision == SUMMARIZE:
            return Verdict(SKIP, reason=TEST_SUMMARY, detail=SUMMARY_DETAIL)
        if decision == HOLD:
            return Verdict(HOLD, until, SEND_BUDGET, gate.hold_detail())
    return Verdict(SEND, reason=choice.reason, detail=choice.detail)
