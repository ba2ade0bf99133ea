"""Bank statement reconciliation: import a statement, propose the invoice each payment is for, and read back.

Importing stores every booking once per account (unique on its key: the same file again, or an
overlapping export, adds nothing). Proposals are worked out when read, from the invoices open at that
moment, so they never go stale; confirming (confirm.py) checks everything again under the locks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.banktransfer.service import bank_accounts_of, reference_for
from duespark.clock import Clock
from duespark.invoices.service import UNSETTLED_STATUS
from duespark.models import Account, BankStatement, Client, Invoice, StatementEntry
from duespark.models.enums import InvoiceStatus
from duespark.money import format_amount
from duespark.reconciliation import matching
from duespark.reconciliation.parsers import parse_statement
from duespark.reconciliation.schemas import EntryOut, ProposalOut, StatementDetail, StatementOut
from duespark.tenancy import get_owned, scoped

OPEN, CONFIRMED, REJECTED, SKIPPED = "open", "confirmed", "rejected", "skipped"
KEY_CHUNK = 500
LIST_LIMIT = 200


@dataclass(frozen=True)
class Imported:
    statement: BankStatement
    duplicate: bool


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _existing(session: Session, account_id: int, data: bytes) -> BankStatement | None:
    digest = hashlib.sha256(data).hexdigest()
    return session.scalars(scoped(BankStatement, account_id).where(BankStatement.sha256 == digest)).first()


def import_statement(
    session: Session, *, account_id: int, user_id: int | None, data: bytes, file_name: str, clock: Clock
) -> Imported:
    """Parse and store a statement's entries; the same file again is the statement already stored.

    Raises StatementFormatError (422 on `file`) for anything that is not a statement this reads."""
    existing = _existing(session, account_id, data)
    if existing is not None:
        return Imported(existing, duplicate=True)
    account = session.get(Account, account_id)
    assert account is not None
    parsed = parse_statement(data, file_name=file_name, default_currency=account.default_currency)
    now = clock.now()
    statement = BankStatement(
        account_id=account_id,
        file_name=(file_name or "statement")[:255],
        format=parsed.format,
        sha256=hashlib.sha256(data).hexdigest(),
        statement_ref=parsed.statement_ref,
        iban=parsed.iban,
        entries_in_file=len(parsed.entries),
        entries_new=0,
        uploaded_by=user_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(statement)
            session.flush()
    except IntegrityError:  # the same file uploaded twice at the same moment: the other one stored it
        again = _existing(session, account_id, data)
        assert again is not None
        return Imported(again, duplicate=True)
    unique = {entry.key: entry for entry in reversed(parsed.entries)}  # the first of equal keys wins
    keys = list(unique)
    known: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        known.update(
            session.scalars(
                scoped(StatementEntry, account_id, StatementEntry.entry_key).where(StatementEntry.entry_key.in_(chunk))
            )
        )
    rows = [
        {
            "account_id": account_id,
            "statement_id": statement.id,
            "entry_key": entry.key,
            "booking_date": entry.booking_date,
            "amount_minor": entry.amount_minor,
            "currency": entry.currency,
            "payer_name": entry.payer_name,
            "remittance": entry.remittance,
            "creditor_reference": entry.creditor_reference,
            "bank_reference": entry.bank_reference,
            "status": SKIPPED if entry.skip_reason else OPEN,
            "skip_reason": entry.skip_reason,
            "created_at": now,
        }
        for entry in parsed.entries
        if entry.key in unique and unique[entry.key] is entry and entry.key not in known
    ]
    for start in range(0, len(rows), KEY_CHUNK):
        stmt = _insert(session)(StatementEntry).on_conflict_do_nothing(index_elements=["account_id", "entry_key"])
        session.execute(stmt, rows[start : start + KEY_CHUNK])
    statement.entries_new = (
        session.scalar(
            select(func.count()).select_from(StatementEntry).where(StatementEntry.statement_id == statement.id)
        )
        or 0
    )
    audit.record(
        session,
        account_id=account_id,
        action="bank_statement.imported",
        entity_type="bank_statement",
        entity_id=statement.id,
        now=now,
        changes={"file_name": statement.file_name, "format": statement.format, "entries_new": statement.entries_new},
    )
    session.flush()
    return Imported(statement, duplicate=False)


# --- reading -------------------------------------------------------------------------------------


def _counts(session: Session, statement_ids: Sequence[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {i: Counter() for i in statement_ids}
    if statement_ids:
        rows = session.execute(
            select(StatementEntry.statement_id, StatementEntry.status, func.count())
            .where(StatementEntry.statement_id.in_(statement_ids))
            .group_by(StatementEntry.statement_id, StatementEntry.status)
        )
        for statement_id, status, count in rows:
            counts[statement_id][status] = count
    return counts


def statement_out(statement: BankStatement, counts: Counter[str]) -> StatementOut:
    return StatementOut(
        id=statement.id,
        file_name=statement.file_name,
        format=statement.format,  # type: ignore[arg-type]
        statement_ref=statement.statement_ref,
        iban=statement.iban,
        entries_in_file=statement.entries_in_file,
        entries_new=statement.entries_new,
        open=counts[OPEN],
        confirmed=counts[CONFIRMED],
        rejected=counts[REJECTED],
        skipped=counts[SKIPPED],
        created_at=statement.created_at,
    )


def one_statement_out(session: Session, statement: BankStatement) -> StatementOut:
    return statement_out(statement, _counts(session, [statement.id])[statement.id])


def list_statements(session: Session, *, account_id: int) -> list[StatementOut]:
    statements = list(
        session.scalars(
            scoped(BankStatement, account_id)
            .order_by(BankStatement.created_at.desc(), BankStatement.id.desc())
            .limit(LIST_LIMIT)
        )
    )
    counts = _counts(session, [s.id for s in statements])
    return [statement_out(s, counts[s.id]) for s in statements]


def get_statement(session: Session, *, account_id: int, statement_id: int) -> BankStatement:
    return get_owned(session, BankStatement, statement_id, account_id, what="Statement")


@dataclass(frozen=True)
class OpenInvoices:
    matcher: matching.Matcher
    client_names: dict[int, str]


def open_invoices(session: Session, *, account_id: int, currencies: Sequence[str] | None = None) -> OpenInvoices:
    """The account's invoices with something owed, with their clients' names and transfer references."""
    stmt = (
        select(Invoice, Client.name, Client.company)
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.account_id == account_id, UNSETTLED_STATUS, Invoice.balance_minor > 0)
    )
    if currencies is not None:
        stmt = stmt.where(Invoice.currency.in_(list(currencies)))
    rows = session.execute(stmt).all()
    banks = bank_accounts_of(session, [account_id])
    candidates, names = [], {}
    for invoice, name, company in rows:
        references: tuple[str, ...] = ()
        bank = banks.get((account_id, invoice.currency))
        if bank is not None:
            reference, _structured = reference_for(bank, invoice.number)
            references = (reference,) if reference != invoice.number else ()
        client_names = tuple(n for n in (company, name) if n)
        names[invoice.id] = company or name
        candidates.append(
            matching.Candidate(
                invoice_id=invoice.id,
                number=invoice.number,
                currency=invoice.currency,
                balance_minor=invoice.balance_minor,
                client_names=client_names,
                references=references,
            )
        )
    settled = session.execute(
        select(Invoice.number, Invoice.status).where(
            Invoice.account_id == account_id, Invoice.status.in_((InvoiceStatus.paid, InvoiceStatus.void))
        )
    ).all()
    return OpenInvoices(matching.Matcher(candidates, settled=[(n, str(st)) for n, st in settled]), names)


def as_payment(entry: StatementEntry) -> matching.Payment:
    return matching.Payment(
        amount_minor=entry.amount_minor,
        currency=entry.currency,
        payer_name=entry.payer_name,
        remittance=entry.remittance,
        creditor_reference=entry.creditor_reference,
    )


def proposal_out(proposal: matching.Proposal, invoices: OpenInvoices, currency: str) -> ProposalOut:
    candidate = invoices.matcher.by_id[proposal.invoice_id]
    return ProposalOut(
        invoice_id=proposal.invoice_id,
        invoice_number=proposal.invoice_number,
        client_name=invoices.client_names.get(proposal.invoice_id, ""),
        balance=format_amount(candidate.balance_minor, currency),
        confidence=proposal.confidence,
        level=proposal.level,  # type: ignore[arg-type]
        explanation=proposal.explanation,
        apply_amount=format_amount(proposal.apply_minor, currency),
        unapplied_amount=format_amount(proposal.unapplied_minor, currency),
    )


def entry_out(
    entry: StatementEntry, *, invoices: OpenInvoices | None, numbers: dict[int, str] | None = None
) -> EntryOut:
    proposal = note = None
    if entry.status in (OPEN, REJECTED) and invoices is not None:
        outcome = invoices.matcher.match(as_payment(entry))
        note = outcome.explanation if outcome.proposal is None else None
        if outcome.proposal is not None and entry.status == OPEN:
            proposal = proposal_out(outcome.proposal, invoices, entry.currency)
    cur = entry.currency
    applied = entry.applied_minor
    return EntryOut(
        id=entry.id,
        statement_id=entry.statement_id,
        booking_date=entry.booking_date,
        amount=format_amount(entry.amount_minor, cur),
        currency=cur,
        payer_name=entry.payer_name,
        remittance=entry.remittance,
        creditor_reference=entry.creditor_reference,
        bank_reference=entry.bank_reference,
        status=entry.status,  # type: ignore[arg-type]
        skip_reason=entry.skip_reason,
        proposal=proposal,
        match_note=note,
        invoice_id=entry.invoice_id,
        invoice_number=(numbers or {}).get(entry.invoice_id) if entry.invoice_id else None,
        applied_amount=format_amount(applied, cur) if applied is not None else None,
        unapplied_amount=format_amount(entry.amount_minor - applied, cur) if applied is not None else None,
        confidence=entry.confidence,
        explanation=entry.explanation,
        decided_at=entry.decided_at,
    )


def invoice_numbers(session: Session, account_id: int, entries: Sequence[StatementEntry]) -> dict[int, str]:
    ids = {e.invoice_id for e in entries if e.invoice_id}
    if not ids:
        return {}
    return dict(
        session.execute(scoped(Invoice, account_id, Invoice.id, Invoice.number).where(Invoice.id.in_(ids))).all()
    )


def statement_detail(session: Session, *, account_id: int, statement_id: int) -> StatementDetail:
    statement = get_statement(session, account_id=account_id, statement_id=statement_id)
    entries = list(
        session.scalars(
            scoped(StatementEntry, account_id)
            .where(StatementEntry.statement_id == statement.id)
            .order_by(StatementEntry.booking_date, StatementEntry.id)
        )
    )
    currencies = sorted({e.currency for e in entries if e.status in (OPEN, REJECTED)})
    invoices = open_invoices(session, account_id=account_id, currencies=currencies) if currencies else None
    numbers = invoice_numbers(session, account_id, entries)
    return StatementDetail(
        statement=one_statement_out(session, statement),
        entries=[entry_out(e, invoices=invoices, numbers=numbers) for e in entries],
    )


def entries_out(session: Session, *, account_id: int, entry_ids: Sequence[int]) -> dict[int, EntryOut]:
    """Entries as the API shows them, with fresh proposals for those still open (one query of invoices)."""
    if not entry_ids:
        return {}
    entries = list(session.scalars(scoped(StatementEntry, account_id).where(StatementEntry.id.in_(list(entry_ids)))))
    currencies = sorted({e.currency for e in entries if e.status in (OPEN, REJECTED)})
    invoices = open_invoices(session, account_id=account_id, currencies=currencies) if currencies else None
    numbers = invoice_numbers(session, account_id, entries)
    return {e.id: entry_out(e, invoices=invoices, numbers=numbers) for e in entries}
