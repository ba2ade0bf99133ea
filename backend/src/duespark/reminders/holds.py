"""Holds the client causes: a promise to pay, a dispute, "already paid", a reply.

A hold lives on the invoice (`hold_kind`, `hold_until`) beside the user's own pause and works like it in
the engine: with an end date the steps wait until that day (then only the latest missed one goes, as after
any pause); without one nothing is planned or sent until the hold is released. Keeping it apart from the
user's pause means a client's answer never lifts a pause the user set, and resuming by hand never drops a
dispute the user has not resolved.

One hold per invoice: an open-ended hold (a dispute) outranks a dated one, and of two dated holds the later
end wins. The domains that own the client's answers (promises, disputes, replies) keep their own history
and call these two functions; they re-place a hold that is still due after releasing another.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.models import Invoice
from duespark.reminders.planner import plan

HOLD_KINDS = ("promise", "dispute", "paid_claim", "reply")


def _outranks(kind_until: date | None, held_until: date | None) -> bool:
    if held_until is None:
        return kind_until is None
    return kind_until is None or kind_until >= held_until


def place_hold(session: Session, invoice: Invoice, *, kind: str, until: date | None, clock: Clock) -> bool:
    """Hold the invoice's reminders for `kind` until `until` (None: until released). Returns whether it took.

    The caller has locked the invoice row (invoices.service.lock_invoice) when answers may race.
    """
    if kind not in HOLD_KINDS:
        raise ValueError(f"unknown hold kind {kind!r}")
    if invoice.hold_kind is not None and not _outranks(until, invoice.hold_until):
        return False
    invoice.hold_kind = kind
    invoice.hold_until = until
    invoice.updated_at = clock.now()
    session.flush()
    plan(session, clock=clock, invoice_ids=[invoice.id])
    return True


def release_hold(session: Session, invoice: Invoice, *, kind: str, clock: Clock) -> bool:
    """End the invoice's hold if it is of `kind`; chasing picks up where it was. Returns whether one ended."""
    if invoice.hold_kind != kind:
        return False
    invoice.hold_kind = None
    invoice.hold_until = None
    invoice.updated_at = clock.now()
    session.flush()
    plan(session, clock=clock, invoice_ids=[invoice.id])
    return True
