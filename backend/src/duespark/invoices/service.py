"""Invoices and manual payments. The stored status follows the balance; overdue is derived."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, column, func, literal_column, or_, select, table, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.clients.service import like_pattern
from duespark.clock import Clock
from duespark.errors import Conflict, InvalidInput, NotFound
from duespark.insights import recovered
from duespark.invoices.events import InvoiceChange, publish
from duespark.invoices.schemas import (
    AdjustmentOut,
    EffectiveStatus,
    InvoiceCreate,
    InvoiceOut,
    InvoiceUpdate,
    PaymentOut,
    RecoveredAmount,
)
from duespark.models import Account, Client, Invoice, InvoiceAdjustment, Payment
from duespark.models.base import SQLITE_SEARCH_TABLE
from duespark.models.enums import InvoiceStatus
from duespark.money import MoneyError, format_amount, parse_amount
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.pagination import PageParams
from duespark.tenancy import get_owned, scoped

# The fields of an invoice its audit entries show before and after an edit.
AUDITED_FIELDS = (
    "client_id",
    "number",
    "amount_minor",
    "currency",
    "issue_date",
    "due_date",
    "status",
    "description",
    "reminders_excluded",
)

UNSETTLED = (InvoiceStatus.open, InvoiceStatus.partially_paid)
# Constants in the SQL, not parameters: only then do PostgreSQL (in a generic plan of a prepared statement)
# and SQLite match the partial index ix_invoices_unsettled_due, whose condition this is word for word.
UNSETTLED_STATUS = Invoice.status.in_([literal_column(f"'{status.value}'") for status in UNSETTLED])
# A search matching more clients than this matches their invoices with a subquery, not a list of ids.
MAX_LISTED_CLIENTS = 1000
INVOICE_SORTS = {
    "due_date": Invoice.due_date,
    "issue_date": Invoice.issue_date,
    "amount": Invoice.amount_minor,
    "number": Invoice.number,
    "created_at": Invoice.created_at,
}


def effective_status(invoice: Invoice, today: date) -> EffectiveStatus:
    if invoice.status in UNSETTLED and invoice.due_date < today:
        return EffectiveStatus.overdue
    return EffectiveStatus(invoice.status)


def to_out(invoice: Invoice, *, client_name: str, today: date) -> InvoiceOut:
    currency = invoice.currency
    return InvoiceOut(
        id=invoice.id,
        client_id=invoice.client_id,
        client_name=client_name,
        number=invoice.number,
        amount=format_amount(invoice.amount_minor, currency),
        currency=currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        description=invoice.description,
        external_id=invoice.external_id,
        status=effective_status(invoice, today),
        fees=format_amount(invoice.fees_minor, currency),
        total=format_amount(invoice.total_minor, currency),
        amount_paid=format_amount(invoice.amount_paid_minor, currency),
        balance=format_amount(invoice.balance_minor, currency),
        paid_at=invoice.paid_at,
        voided_at=invoice.voided_at,
        reminders_excluded=invoice.reminders_excluded,
        created_at=invoice.created_at,
        updated_at=invoice.updated_at,
    )


def adjustment_out(adjustment: InvoiceAdjustment) -> AdjustmentOut:
    return AdjustmentOut(
        id=adjustment.id,
        invoice_id=adjustment.invoice_id,
        kind=adjustment.kind,  # type: ignore[arg-type]
        amount=format_amount(adjustment.amount_minor, adjustment.currency),
        currency=adjustment.currency,
        description=adjustment.description,
        step_key=adjustment.step_key,
        reminder_id=adjustment.reminder_id,
        period_start=adjustment.period_start,
        period_end=adjustment.period_end,
        created_at=adjustment.created_at,
        waived_at=adjustment.waived_at,
    )


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        invoice_id=payment.invoice_id,
        amount=format_amount(payment.amount_minor, payment.currency),
        currency=payment.currency,
        method=payment.method,
        paid_at=payment.paid_at,
        reference=payment.external_reference,
        note=payment.note,
    )


def _amount_minor(field: str, value: object, currency: str) -> int:
    try:
        return parse_amount(value, currency)
    except MoneyError as exc:
        raise InvalidInput(field, str(exc)) from None


def _owned_client(session: Session, account_id: int, client_id: int) -> Client:
    client = session.scalars(
        scoped(Client, account_id).where(Client.id == client_id, Client.deleted_at.is_(None))
    ).first()
    if client is None:
        raise InvalidInput("client_id", "No such client in this account")
    return client


def _ensure_number_free(session: Session, account_id: int, number: str, *, except_id: int | None = None) -> None:
    stmt = scoped(Invoice, account_id, Invoice.id).where(Invoice.number == number)
    if except_id is not None:
        stmt = stmt.where(Invoice.id != except_id)
    if session.scalar(stmt) is not None:
        raise Conflict([{"field": "number", "message": f"Invoice number {number!r} is already used"}])


def create_invoice(session: Session, *, account_id: int, data: InvoiceCreate, clock: Clock) -> Invoice:
    account = session.get(Account, account_id)
    assert account is not None
    _owned_client(session, account_id, data.client_id)
    currency = data.currency or account.default_currency
    amount_minor = _amount_minor("amount", data.amount, currency)
    _ensure_number_free(session, account_id, data.number)
    if data.external_id and session.scalar(
        scoped(Invoice, account_id, Invoice.id).where(Invoice.external_id == data.external_id)
    ):
        raise Conflict([{"field": "external_id", "message": "An invoice with this external id exists"}])
    now = clock.now()
    invoice = Invoice(
        account_id=account_id,
        client_id=data.client_id,
        number=data.number,
        amount_minor=amount_minor,
        amount_paid_minor=0,
        currency=currency,
        issue_date=data.issue_date,
        due_date=data.due_date,
        status=data.status,
        description=data.description,
        external_id=data.external_id,
        reminders_excluded=data.reminders_excluded,
        created_at=now,
        updated_at=now,
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        account_id=account_id,
        action="invoice.created",
        entity_type="invoice",
        entity_id=invoice.id,
        now=now,
        changes=audit.snapshot(invoice, AUDITED_FIELDS),
    )
    publish(session, InvoiceChange.created, [invoice.id], clock)
    return invoice


def get_invoice(session: Session, *, account_id: int, invoice_id: int) -> Invoice:
    return get_owned(session, Invoice, invoice_id, account_id, what="Invoice")


def get_invoice_with_client_name(session: Session, *, account_id: int, invoice_id: int) -> tuple[Invoice, str]:
    """The invoice and its client's name in one query (`get_invoice` and `client_name_of` in one)."""
    row = session.execute(
        scoped(Invoice, account_id)
        .add_columns(Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.id == invoice_id)
    ).first()
    if row is None:
        raise NotFound("Invoice")
    return row[0], row[1]


def client_name_of(session: Session, invoice: Invoice) -> str:
    return session.scalar(select(Client.name).where(Client.id == invoice.client_id)) or ""


def list_invoices(
    session: Session,
    account_id: int,
    *,
    today: date,
    statuses: list[EffectiveStatus] | None,
    client_id: int | None,
    due_from: date | None,
    due_to: date | None,
    q: str | None,
    sort: str,
    paging: PageParams,
    recovered_in: tuple[datetime, datetime] | None = None,
) -> tuple[list[tuple[Invoice, str]], int]:
    """One page of the account's invoices with their client's name, and how many match in all."""
    column = INVOICE_SORTS.get(sort.lstrip("-"))
    if column is None:
        raise InvalidInput("sort", f"Sort by one of {', '.join(sorted(INVOICE_SORTS))}, with - for descending")
    # Conditions on invoices alone, so the total is counted without joining the clients.
    conditions = [Invoice.account_id == account_id]
    if statuses:
        conditions.append(or_(*(_status_condition(s, today) for s in set(statuses))))
    if client_id is not None:
        conditions.append(Invoice.client_id == client_id)
    if due_from is not None:
        conditions.append(Invoice.due_date >= due_from)
    if due_to is not None:
        conditions.append(Invoice.due_date <= due_to)
    if q:
        conditions.append(_search(session, account_id, q))
    if recovered_in is not None:
        since, until = recovered_in
        paid = recovered.recovered_payments(account_id, since=since, until=until).subquery()
        conditions.append(Invoice.id.in_(select(paid.c.invoice_id)))
    total = session.scalar(select(func.count()).select_from(Invoice).where(*conditions)) or 0
    # The page's ids are picked from invoices alone, in an order an index serves ((account_id, due_date,
    # id) for the due date), and only those 50 rows are joined to their clients: with the join inside
    # the LIMIT, a bad row estimate (statistics not yet there after a bulk import) made PostgreSQL join
    # and sort every matching row before cutting the page. The derived table's LIMIT is a fence the
    # planner keeps on both databases.
    descending = sort.startswith("-")
    # The id breaks ties in the sort's direction, so an (account, due date, id) index read forwards or backwards
    # is the order itself. With ties always ascending, PostgreSQL had to sort for -due_date, and on a bulk
    # import's stale estimate (1 row) it sorted all 42,000 overdue ids (800 ms) rather than read 50 (bench/plans).
    direction, tie_break = (column.desc(), Invoice.id.desc()) if descending else (column.asc(), Invoice.id.asc())
    page_ids = (
        select(Invoice.id)
        .where(*conditions)
        .order_by(direction, tie_break)
        .limit(paging.page_size)
        .offset((paging.page - 1) * paging.page_size)
        .subquery("page_ids")
    )
    page = (
        select(Invoice, Client.name)
        .join(page_ids, page_ids.c.id == Invoice.id)
        .join(Client, Client.id == Invoice.client_id)
        .order_by(direction, tie_break)
    )
    return [(invoice, name) for invoice, name in session.execute(page).all()], total


def recovered_totals(session: Session, account_id: int, window: tuple[datetime, datetime]) -> list[RecoveredAmount]:
    """Per currency, what reminders brought in during the window: the figure the recovered list adds up to."""
    since, until = window
    paid = recovered.recovered_payments(account_id, since=since, until=until).subquery()
    rows = session.execute(
        select(paid.c.currency, func.sum(paid.c.amount_minor)).group_by(paid.c.currency).order_by(paid.c.currency)
    ).all()
    return [RecoveredAmount(currency=currency, amount=format_amount(int(total), currency)) for currency, total in rows]


def _search(session: Session, account_id: int, q: str) -> ColumnElement[bool]:
    """Invoices whose number or description, or whose client's name or company, contains `q` in any
    case (% and _ are plain characters).

    The clients are found first and their invoices matched by id: every branch of the OR is then on
    invoices, where PostgreSQL reads a trigram index (number, description) or (account_id, client_id)
    for each, instead of testing every invoice; SQLite reads its FTS5 trigram index of the same columns.
    Given the ids rather than a subquery, the planner knows how few invoices match, and reads them instead
    of walking the whole list in sort order.
    """
    pattern = like_pattern(q)
    clients = select(Client.id).where(
        Client.account_id == account_id,
        or_(Client.name.ilike(pattern, escape="\\"), Client.company.ilike(pattern, escape="\\")),
    )
    client_ids = session.scalars(clients.limit(MAX_LISTED_CLIENTS + 1)).all()
    matches = [_number_or_description_contains(session, q, pattern)]
    if len(client_ids) > MAX_LISTED_CLIENTS:
        matches.append(Invoice.client_id.in_(clients))
    elif client_ids:
        matches.append(Invoice.client_id.in_(client_ids))
    return or_(*matches)


# SQLite's trigram index of invoice numbers and descriptions (migration 0036_sqlite_search): an FTS5 table
# whose rowid is the invoice's id. It answers substrings of 3 characters or more.
_INVOICES_SEARCH = table(SQLITE_SEARCH_TABLE, column("rowid"), column(SQLITE_SEARCH_TABLE))
TRIGRAM = 3


def _number_or_description_contains(session: Session, q: str, pattern: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "sqlite" and len(q) >= TRIGRAM:
        # A quoted FTS5 phrase is literal text (only " is doubled); the trigram tokenizer matches it
        # anywhere in either column, in any case, as ILIKE '%q%' does. Shorter text has no trigram.
        phrase = '"' + q.replace('"', '""') + '"'
        matching = select(_INVOICES_SEARCH.c.rowid).where(_INVOICES_SEARCH.c[SQLITE_SEARCH_TABLE].op("MATCH")(phrase))
        return Invoice.id.in_(matching)
    return or_(Invoice.number.ilike(pattern, escape="\\"), Invoice.description.ilike(pattern, escape="\\"))


def _status_condition(status: EffectiveStatus, today: date):
    if status == EffectiveStatus.overdue:
        return and_(UNSETTLED_STATUS, Invoice.due_date < today)
    if status == EffectiveStatus.open:
        return and_(Invoice.status == status.value, Invoice.due_date >= today)
    # "Partially paid" lists every invoice with a partial payment, overdue or not: an overdue one whose
    # effective status reads "overdue" still belongs to the worklist of invoices the client started paying.
    return Invoice.status == status.value


def update_invoice(session: Session, *, invoice: Invoice, data: InvoiceUpdate, clock: Clock) -> Invoice:
    changes = data.model_dump(exclude_unset=True)
    lock_for_update(session, invoice)
    before = audit.snapshot(invoice, AUDITED_FIELDS)
    if invoice.status in (InvoiceStatus.paid, InvoiceStatus.void):
        editable = {"description", "reminders_excluded"}
        if set(changes) - editable:
            raise Conflict(f"A {invoice.status} invoice can only have its description changed")
    for field in (
        "client_id",
        "number",
        "amount",
        "currency",
        "issue_date",
        "due_date",
        "status",
        "reminders_excluded",
    ):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "This field cannot be empty")
    if "client_id" in changes:
        _owned_client(session, invoice.account_id, changes["client_id"])
    if "number" in changes and changes["number"] != invoice.number:
        _ensure_number_free(session, invoice.account_id, changes["number"], except_id=invoice.id)
    currency = changes.get("currency", invoice.currency)
    if currency != invoice.currency and invoice.amount_paid_minor:
        raise InvalidInput("currency", "The currency of an invoice with payments cannot change")
    if currency != invoice.currency and invoice.fees_minor:
        raise InvalidInput("currency", "The currency of an invoice with late fees cannot change")
    if "amount" in changes or "currency" in changes:
        amount_minor = _amount_minor(
            "amount", changes.get("amount", format_amount(invoice.amount_minor, currency)), currency
        )
        if amount_minor + invoice.fees_minor < invoice.amount_paid_minor:
            raise InvalidInput("amount", "The amount (with late fees) cannot be less than what was already paid")
        invoice.amount_minor = amount_minor
        invoice.currency = currency
    issue_date = changes.get("issue_date", invoice.issue_date)
    due_date = changes.get("due_date", invoice.due_date)
    if due_date < issue_date:
        raise InvalidInput("due_date", "due_date must not be before issue_date")
    if changes.get("status") == InvoiceStatus.draft and invoice.status != InvoiceStatus.draft:
        raise InvalidInput("status", "An invoice that was sent cannot go back to draft")
    for field in ("client_id", "number", "issue_date", "due_date", "description", "reminders_excluded", "status"):
        if field in changes:
            setattr(invoice, field, changes[field])
    _settle_status(invoice, paid_at=None)
    invoice.updated_at = clock.now()
    if edited := audit.diff(before, audit.snapshot(invoice, AUDITED_FIELDS)):
        audit.record(
            session,
            account_id=invoice.account_id,
            action="invoice.edited",
            entity_type="invoice",
            entity_id=invoice.id,
            now=invoice.updated_at,
            changes=edited,
        )
    publish(session, InvoiceChange.updated, [invoice.id], clock)
    return invoice


def settle_status(invoice: Invoice, *, paid_at: datetime | None) -> None:
    """Set the stored status from the balance, for other domains changing an invoice's amounts (Stripe import)."""
    _settle_status(invoice, paid_at=paid_at)


def _settle_status(invoice: Invoice, *, paid_at: datetime | None) -> None:
    """Set the stored status from the balance."""
    if invoice.status in (InvoiceStatus.draft, InvoiceStatus.void):
        return
    if invoice.balance_minor <= 0:
        invoice.status = InvoiceStatus.paid
        invoice.paid_at = invoice.paid_at or paid_at
    elif invoice.amount_paid_minor > 0:
        invoice.status = InvoiceStatus.partially_paid
        invoice.paid_at = None
    else:
        invoice.status = InvoiceStatus.open
        invoice.paid_at = None


def lock_invoice(session: Session, *, account_id: int, invoice_id: int) -> Invoice:
    """The invoice read fresh under its row lock, held until commit (invariant 11: check after the lock).

    Every change to an invoice's amounts or status calls this first and only then reads what it checks
    (balance, status, fees), so two requests at the same moment act one after the other: the second
    waits here and then sees what the first committed. PostgreSQL: SELECT ... FOR NO KEY UPDATE (it
    excludes every other locker and UPDATE of the row, but not the FOR KEY SHARE of inserting a row that
    refers to the invoice, so those never wait or deadlock on it). SQLite has no
    row locks: its transactions take the database's write lock at BEGIN IMMEDIATE (db.py); a no-op write
    on the row makes sure of it even in a transaction that began without it. What this session already
    changed is flushed first and read back; another account's invoice is the same 404 as a missing one.
    """
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id, Invoice.account_id == account_id)
            .values(updated_at=Invoice.updated_at)
            .execution_options(synchronize_session=False)
        )
    invoice = session.scalars(
        scoped(Invoice, account_id)
        .where(Invoice.id == invoice_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()
    if invoice is None:
        raise NotFound("Invoice")
    return invoice


def lock_for_update(session: Session, invoice: Invoice) -> Invoice:
    """`lock_invoice` for an invoice already loaded: the same object, refreshed under the lock. A worker
    charging a late fee at that moment (`fees_minor + fee` in SQL) waits, instead of being overwritten or
    leaving a status worked out from the balance before its fee."""
    return lock_invoice(session, account_id=invoice.account_id, invoice_id=invoice.id)


def waive_adjustment(session: Session, *, invoice: Invoice, adjustment_id: int, clock: Clock) -> InvoiceAdjustment:
    """Take a late fee or interest charge off the invoice; waiving one already waived changes nothing.

    The charge stays on record (waived), so the reminder step that added it never adds it again. An
    invoice whose payments then cover what is left is paid: its reminders stop and the client is thanked.
    """
    lock_for_update(session, invoice)
    # Read after the lock: a second waiver of the same fee at the same moment sees the first one's.
    adjustment = session.scalar(
        select(InvoiceAdjustment)
        .where(
            InvoiceAdjustment.id == adjustment_id,
            InvoiceAdjustment.invoice_id == invoice.id,
            InvoiceAdjustment.account_id == invoice.account_id,
        )
        .execution_options(populate_existing=True)
    )
    if adjustment is None:
        raise NotFound("Late fee not found")
    if adjustment.waived_at is not None:
        return adjustment
    if invoice.status == InvoiceStatus.paid:
        raise Conflict("The invoice is paid, fees included: refund the fee as a payment instead")
    now = clock.now()
    adjustment.waived_at = now
    invoice.fees_minor -= adjustment.amount_minor
    _settle_status(invoice, paid_at=now)
    invoice.updated_at = now
    session.flush()
    audit.record(
        session,
        account_id=invoice.account_id,
        action="fee.waived",
        entity_type="invoice",
        entity_id=invoice.id,
        now=now,
        changes=audit.snapshot(adjustment, ("id", "kind", "amount_minor", "currency")),
    )
    outgoing_webhooks.late_fee(session, "late_fee.waived", adjustment, now=now)
    change = InvoiceChange.paid if invoice.status == InvoiceStatus.paid else InvoiceChange.updated
    publish(session, change, [invoice.id], clock)
    return adjustment


def apply_payment(
    session: Session,
    *,
    invoice: Invoice,
    amount_minor: int,
    method: str,
    paid_at: datetime,
    clock: Clock,
    external_reference: str | None = None,
    note: str | None = None,
) -> Payment:
    """Record money received (or refunded, when negative) and let the status follow the balance.

    Shared by manual payments and payment providers, so every path has the same effects.
    """
    lock_for_update(session, invoice)
    was_paid = invoice.status == InvoiceStatus.paid
    payment = Payment(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        amount_minor=amount_minor,
        currency=invoice.currency,
        method=method,
        paid_at=paid_at,
        external_reference=external_reference,
        note=note,
        created_at=clock.now(),
    )
    session.add(payment)
    invoice.amount_paid_minor = max(0, invoice.amount_paid_minor + amount_minor)
    if invoice.status == InvoiceStatus.draft:
        invoice.status = InvoiceStatus.open
    _settle_status(invoice, paid_at=paid_at)
    invoice.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        account_id=invoice.account_id,
        action="payment.refunded" if amount_minor < 0 else "payment.recorded",
        entity_type="invoice",
        entity_id=invoice.id,
        now=invoice.updated_at,
        changes=audit.snapshot(payment, ("id", "amount_minor", "currency", "method", "paid_at", "external_reference")),
    )
    if invoice.status == InvoiceStatus.paid and not was_paid:
        change = InvoiceChange.paid
    elif was_paid and invoice.status != InvoiceStatus.paid:
        change = InvoiceChange.reopened
    else:
        change = InvoiceChange.payment_recorded
    publish(session, change, [invoice.id], clock)
    outgoing_webhooks.payment_recorded(session, payment, invoice, clock)
    return payment


def record_manual_payment(
    session: Session,
    *,
    invoice: Invoice,
    amount: object,
    method: str,
    paid_at: datetime | None,
    reference: str | None,
    note: str | None,
    clock: Clock,
) -> Payment:
    lock_for_update(session, invoice)
    if invoice.status == InvoiceStatus.void:
        raise Conflict("A void invoice cannot take payments")
    if invoice.status == InvoiceStatus.paid:
        raise Conflict("This invoice is already paid")
    amount_minor = _amount_minor("amount", amount, invoice.currency)
    if amount_minor > invoice.balance_minor:
        raise InvalidInput(
            "amount",
            f"The payment is more than the balance of {format_amount(invoice.balance_minor, invoice.currency)}",
        )
    if paid_at is not None and paid_at > clock.now():
        raise InvalidInput("paid_at", "A payment cannot be dated in the future")
    return apply_payment(
        session,
        invoice=invoice,
        amount_minor=amount_minor,
        method=method,
        paid_at=paid_at or clock.now(),
        clock=clock,
        external_reference=reference,
        note=note,
    )


def list_payments(session: Session, *, invoice: Invoice) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.invoice_id == invoice.id, Payment.account_id == invoice.account_id)
            .order_by(Payment.paid_at, Payment.id)
        )
    )


def void_invoice(session: Session, *, invoice: Invoice, clock: Clock) -> Invoice:
    lock_for_update(session, invoice)
    if invoice.status == InvoiceStatus.void:
        return invoice
    if invoice.status == InvoiceStatus.paid:
        raise Conflict("A paid invoice cannot be voided; refund it first")
    # Checked under the lock: a void invoice never holds money, whichever of a payment and a void came first.
    if invoice.amount_paid_minor > 0:
        raise Conflict("An invoice with payments cannot be voided; refund the payments first")
    audit.record(
        session,
        account_id=invoice.account_id,
        action="invoice.voided",
        entity_type="invoice",
        entity_id=invoice.id,
        now=clock.now(),
        changes={"status": {"before": invoice.status, "after": "void"}},
    )
    invoice.status = InvoiceStatus.void
    invoice.voided_at = clock.now()
    invoice.updated_at = invoice.voided_at
    publish(session, InvoiceChange.voided, [invoice.id], clock)
    return invoice
