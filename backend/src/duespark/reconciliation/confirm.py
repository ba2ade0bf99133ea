"""Confirming a statement entry records its payment; rejecting sets it aside.

Locks, always in this order so two requests never wait on each other in a circle: the entries (by id),
then the invoices (by id). Under the entry's lock its status is read (a second confirm of the same entry,
by anyone, finds it confirmed); under the invoice's lock what is still owed is read, and the payment is
at most that (the rest of the amount stays unapplied). The payment goes through the same service as
"Record payment" (invoices.service.record_manual_payment): status, audit entry, outgoing webhook,
reminders stopped and the thank-you all follow from it. `statement_entries.payment_id` is unique.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duespark.answers import service as answers
from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import Conflict, DomainError, InvalidInput, NotFound
from duespark.invoices.service import UNSETTLED, lock_invoice, record_manual_payment
from duespark.models import Account, BankStatement, StatementEntry
from duespark.money import format_amount
from duespark.reconciliation import matching
from duespark.reconciliation.service import (
    CONFIRMED,
    OPEN,
    REJECTED,
    SKIPPED,
    OpenInvoices,
    as_payment,
    open_invoices,
)
from duespark.tenancy import scoped

NOTE_LIMIT = 2000
HAND_PICKED = "assigned by hand"


@dataclass(frozen=True)
class Choice:
    entry_id: int
    invoice_id: int | None


def lock_entries(session: Session, *, account_id: int, entry_ids: Sequence[int]) -> dict[int, StatementEntry]:
    """The account's entries re-read under their row locks, in id order; others' ids are left out."""
    ids = sorted(set(entry_ids))
    session.flush()
    if session.get_bind().dialect.name == "sqlite":  # no row locks: take the database's write lock now
        session.execute(
            update(StatementEntry)
            .where(StatementEntry.id.in_(ids), StatementEntry.account_id == account_id)
            .values(status=StatementEntry.status)
            .execution_options(synchronize_session=False)
        )
    rows = session.scalars(
        scoped(StatementEntry, account_id)
        .where(StatementEntry.id.in_(ids))
        .order_by(StatementEntry.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def _paid_at(entry: StatementEntry, account: Account, clock: Clock) -> datetime:
    """Noon of the booking day in the account's timezone, never later than now."""
    noon = datetime.combine(entry.booking_date, time(12), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)
    return min(noon, clock.now())


def _note(entry: StatementEntry, file_name: str) -> str:
    parts = [f"Bank statement {file_name}, booked {entry.booking_date.isoformat()}"]
    if entry.payer_name:
        parts.append(f"from {entry.payer_name}")
    if entry.remittance:
        parts.append(entry.remittance)
    return ": ".join([parts[0], " — ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def _target(entry: StatementEntry, choice: Choice, invoices: OpenInvoices | None) -> tuple[int, int, str]:
    """(invoice id, confidence, explanation) the entry goes to: the one chosen, else the proposal."""
    matcher = invoices.matcher if invoices is not None else matching.Matcher([])
    outcome = matcher.match(as_payment(entry))
    if choice.invoice_id is not None:
        scored = matcher.explain(as_payment(entry), choice.invoice_id)
        confidence, why = scored if scored else (0, "")
        if outcome.proposal is not None and outcome.proposal.invoice_id == choice.invoice_id:
            return choice.invoice_id, confidence, why
        return choice.invoice_id, confidence, f"{HAND_PICKED}; {why}" if why else HAND_PICKED
    if outcome.proposal is None:
        raise InvalidInput("invoice_id", f"No invoice is proposed ({outcome.explanation}); choose one")
    return outcome.proposal.invoice_id, outcome.proposal.confidence, outcome.proposal.explanation


def _check_entry(entry: StatementEntry | None, choice: Choice) -> bool:
    """False when the entry is already confirmed as asked (a repeat: nothing to do)."""
    if entry is None:
        raise NotFound("Entry")
    if entry.status == SKIPPED:
        raise Conflict(f"This entry is not a payment: {entry.skip_reason}")
    if entry.status == CONFIRMED:
        if choice.invoice_id is None or choice.invoice_id == entry.invoice_id:
            return False
        raise Conflict("This entry is already confirmed as a payment of another invoice")
    return True


def _record(
    session: Session,
    *,
    entry: StatementEntry,
    invoice_id: int,
    confidence: int,
    explanation: str,
    proposed: bool,
    account: Account,
    user_id: int | None,
    clock: Clock,
) -> None:
    invoice = lock_invoice(session, account_id=account.id, invoice_id=invoice_id)
    if invoice.currency != entry.currency:
        raise InvalidInput(
            "invoice_id", f"{invoice.number} is in {invoice.currency}; this payment is in {entry.currency}"
        )
    if invoice.status not in UNSETTLED or invoice.balance_minor <= 0:
        if proposed:  # settled meanwhile: answer as if asked now (what the proposal is after the lock)
            fresh = open_invoices(session, account_id=account.id, currencies=[entry.currency]).matcher
            now = fresh.match(as_payment(entry))
            if now.proposal is None:
                raise InvalidInput("invoice_id", f"No invoice is proposed ({now.explanation}); choose one")
            raise Conflict(
                f"{invoice.number} was settled meanwhile; the entry now matches {now.proposal.invoice_number}: "
                "confirm again"
            )
        raise Conflict(f"{invoice.number} is {invoice.status}: nothing is owed on it")
    applied = min(entry.amount_minor, invoice.balance_minor)
    file_name = session.scalar(select(BankStatement.file_name).where(BankStatement.id == entry.statement_id)) or ""
    payment = record_manual_payment(
        session,
        invoice=invoice,
        amount=format_amount(applied, invoice.currency),
        method="manual",
        paid_at=_paid_at(entry, account, clock),
        reference=(entry.bank_reference or f"statement entry {entry.id}")[:255],
        note=_note(entry, file_name)[:NOTE_LIMIT],
        clock=clock,
    )
    entry.status = CONFIRMED
    entry.invoice_id = invoice.id
    entry.payment_id = payment.id
    entry.applied_minor = applied
    entry.confidence = confidence
    entry.explanation = explanation
    entry.decided_by = user_id
    entry.decided_at = clock.now()
    session.flush()  # the unique payment_id: one payment per entry, one entry per payment
    answers.close_paid_claims(
        session,
        invoice=invoice,
        user_id=user_id,
        note=f"Matched to a bank statement payment of {format_amount(applied, invoice.currency)} {invoice.currency}",
        clock=clock,
    )
    audit.record(
        session,
        account_id=account.id,
        action="statement_entry.confirmed",
        entity_type="statement_entry",
        entity_id=entry.id,
        now=clock.now(),
        changes={
            "invoice_id": invoice.id,
            "payment_id": payment.id,
            "amount_minor": entry.amount_minor,
            "applied_minor": applied,
            "currency": entry.currency,
        },
    )


def confirm_entries(
    session: Session, *, account_id: int, choices: Sequence[Choice], user_id: int | None, clock: Clock, atomic: bool
) -> dict[int, DomainError | None]:
    """Confirm each entry (to its chosen invoice, else its proposal); returns the error of each, None for done.

    `atomic` (one entry): an error is raised. Otherwise each entry is confirmed in a savepoint, so one
    invoice paid meanwhile leaves the others confirmed."""
    entries = lock_entries(session, account_id=account_id, entry_ids=[c.entry_id for c in choices])
    account = session.get(Account, account_id)
    assert account is not None
    currencies = sorted({e.currency for e in entries.values()})
    invoices = open_invoices(session, account_id=account_id, currencies=currencies) if currencies else None
    results: dict[int, DomainError | None] = {}
    planned: list[tuple[int, StatementEntry, int, str, bool]] = []
    for choice in choices:
        if choice.entry_id in results or any(p[1].id == choice.entry_id for p in planned):
            continue
        try:
            entry = entries.get(choice.entry_id)
            if not _check_entry(entry, choice):
                results[choice.entry_id] = None
                continue
            assert entry is not None
            invoice_id, confidence, explanation = _target(entry, choice, invoices)
            planned.append((invoice_id, entry, confidence, explanation, choice.invoice_id is None))
        except DomainError as exc:
            if atomic:
                raise
            results[choice.entry_id] = exc
    # Invoices locked in id order (after every entry lock): no two confirms wait on each other.
    for invoice_id, entry, confidence, explanation, proposed in sorted(planned, key=lambda p: (p[0], p[1].id)):
        if atomic:
            _record(
                session,
                entry=entry,
                invoice_id=invoice_id,
                confidence=confidence,
                explanation=explanation,
                proposed=proposed,
                account=account,
                user_id=user_id,
                clock=clock,
            )
            results[entry.id] = None
            continue
        try:
            with session.begin_nested():
                _record(
                    session,
                    entry=entry,
                    invoice_id=invoice_id,
                    confidence=confidence,
                    explanation=explanation,
                    proposed=proposed,
                    account=account,
                    user_id=user_id,
                    clock=clock,
                )
            results[entry.id] = None
        except DomainError as exc:
            results[entry.id] = exc
    return results


def reject_entry(session: Session, *, account_id: int, entry_id: int, user_id: int | None, clock: Clock) -> None:
    """Not a payment of any invoice; rejecting again is harmless, a confirmed entry is a 409."""
    entry = lock_entries(session, account_id=account_id, entry_ids=[entry_id]).get(entry_id)
    if entry is None:
        raise NotFound("Entry")
    if entry.status == REJECTED:
        return
    if entry.status != OPEN:
        raise Conflict(f"This entry is {entry.status}: it cannot be rejected")
    entry.status = REJECTED
    entry.decided_by = user_id
    entry.decided_at = clock.now()
    session.flush()
    audit.record(
        session,
        account_id=account_id,
        action="statement_entry.rejected",
        entity_type="statement_entry",
        entity_id=entry.id,
        now=clock.now(),
    )
