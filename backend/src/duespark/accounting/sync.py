"""One page of the books applied to DueSpark: contacts become clients (matched by email, else by name, never
twice), open invoices are created, linked invoices follow the books (the books win; the timeline says so),
payments in the books are recorded through the invoice service, credit notes lower what is owed, and
voided or deleted invoices are voided here, which cancels their reminders.

Every record is linked by its external id, unique per connection, so a page applied twice (a resumed
sync, a re-run) changes nothing the second time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duespark.accounting.base import OPEN, VOID, RemoteContact, RemoteInvoice
from duespark.accounting.dates import RowError
from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import Conflict
from duespark.invoices.events import InvoiceChange, publish
from duespark.invoices.service import apply_payment, lock_for_update, settle_status, void_invoice
from duespark.models import AccountingConnection, AccountingLink, Client, Invoice
from duespark.models.enums import ClientType, InvoiceStatus, PaymentMethod
from duespark.money import MAX_AMOUNT_MINOR, MoneyError, currency_exponent, normalize_currency

CONTACT = "contact"
INVOICE = "invoice"
# The last sync's rows it could not take are listed up to this many; the count goes on.
MAX_LISTED_ERRORS = 100
SYNCED_FIELDS = ("number", "amount_minor", "currency", "issue_date", "due_date")


@dataclass
class Changes:
    """What a sync changed, added up page by page into the connection's `last_result`."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def error(self, kind: str, external_id: str, reason: str) -> None:
        self.add("errors")
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"kind": kind, "external_id": external_id[:64], "reason": reason[:300]})

    def merge_into(self, result: dict[str, Any] | None) -> dict[str, Any]:
        merged = dict(result or {})
        counts = dict(merged.get("counts") or {})
        for name, n in self.counts.items():
            counts[name] = counts.get(name, 0) + n
        errors = list(merged.get("errors") or []) + self.errors
        return {"counts": counts, "errors": errors[:MAX_LISTED_ERRORS]}


def to_minor(amount: Decimal, currency: str, *, field_name: str) -> int:
    minor = amount.scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value() or minor < 0 or minor > MAX_AMOUNT_MINOR:
        raise RowError(f"{field_name} {amount} is not an amount in {currency}")
    return int(minor)


def _links(
    session: Session, connection: AccountingConnection, kind: str, ids: Sequence[str]
) -> dict[str, AccountingLink]:
    if not ids:
        return {}
    rows = session.scalars(
        select(AccountingLink).where(
            AccountingLink.connection_id == connection.id,
            AccountingLink.kind == kind,
            AccountingLink.external_id.in_(list(ids)),
        )
    )
    return {row.external_id: row for row in rows}


def add_link(
    session: Session,
    connection: AccountingConnection,
    kind: str,
    external_id: str,
    local_id: int,
    clock: Clock,
    online_url: str | None = None,
) -> AccountingLink:
    link = AccountingLink(
        connection_id=connection.id,
        account_id=connection.account_id,
        kind=kind,
        external_id=external_id,
        local_id=local_id,
        online_url=online_url,
        synced_at=clock.now(),
    )
    session.add(link)
    return link


def _matching_client(session: Session, account_id: int, contact: RemoteContact) -> Client | None:
    """A client the user already keeps: same email, else same name (case-insensitive), oldest first."""
    alive = select(Client).where(Client.account_id == account_id, Client.deleted_at.is_(None)).order_by(Client.id)
    if contact.email:
        client = session.scalars(alive.where(func.lower(Client.email) == contact.email.lower())).first()
        if client is not None:
            return client
    return session.scalars(alive.where(func.lower(Client.name) == contact.name.lower())).first()


class ClientResolver:
    """Clients for the contacts of one page, each looked up or created once."""

    def __init__(self, session: Session, connection: AccountingConnection, changes: Changes, clock: Clock) -> None:
        self.session, self.connection, self.changes, self.clock = session, connection, changes, clock
        self.known: dict[str, AccountingLink] = {}
        # Held here: the session's identity map keeps objects only while something else refers to them.
        self.loaded: dict[int, Client] = {}

    def preload(self, external_ids: Sequence[str]) -> None:
        """The page's contact links and their clients in two queries, not two per invoice."""
        missing = [i for i in set(external_ids) if i not in self.known]
        links = _links(self.session, self.connection, CONTACT, missing)
        self.known.update(links)
        if links:
            client_ids = [link.local_id for link in links.values()]
            rows = self.session.scalars(
                select(Client).where(Client.account_id == self.connection.account_id, Client.id.in_(client_ids))
            )
            self.loaded.update((client.id, client) for client in rows)

    def client_for(self, contact: RemoteContact, *, update: bool) -> Client:
        link = self.known.get(contact.external_id)
        if link is not None:
            client = self.loaded.get(link.local_id) or self.session.get(Client, link.local_id)
            if client is not None and client.account_id == self.connection.account_id:
                if update:
                    self._follow_books(client, contact)
                return client
        client = _matching_client(self.session, self.connection.account_id, contact)
        if client is None:
            now = self.clock.now()
            client = Client(
                account_id=self.connection.account_id,
                name=contact.name,
                email=contact.email,
                company=contact.company,
                client_type=ClientType.business,
                created_at=now,
                updated_at=now,
            )
            self.session.add(client)
            self.session.flush()
            self.changes.add("clients_created")
        else:
            self.changes.add("clients_matched")
        if link is None:
            self.known[contact.external_id] = add_link(
                self.session, self.connection, CONTACT, contact.external_id, client.id, self.clock
            )
        else:
            link.local_id = client.id
        self.loaded[client.id] = client
        return client

    def _follow_books(self, client: Client, contact: RemoteContact) -> None:
        changed = False
        if contact.email and (client.email or "").lower() != contact.email.lower():
            client.email, changed = contact.email, True
        if contact.name != client.name:
            client.name, changed = contact.name, True
        if changed:
            client.updated_at = self.clock.now()
            self.changes.add("clients_updated")


def apply_contacts(
    session: Session, *, connection: AccountingConnection, contacts: list[RemoteContact], changes: Changes, clock: Clock
) -> None:
    resolver = ClientResolver(session, connection, changes, clock)
    resolver.preload([c.external_id for c in contacts])
    for contact in contacts:
        resolver.client_for(contact, update=True)


@dataclass
class _Amounts:
    currency: str
    owed: int  # total less credit notes
    paid: int


def _amounts(remote: RemoteInvoice) -> _Amounts:
    try:
        currency = normalize_currency(remote.currency)
    except MoneyError:
        raise RowError(f"unknown currency {remote.currency[:8]!r}") from None
    total = to_minor(remote.total, currency, field_name="total")
    credited = to_minor(remote.credited, currency, field_name="credited")
    return _Amounts(currency, max(total - credited, 0), to_minor(remote.paid, currency, field_name="paid"))


class InvoiceApplier:
    def __init__(
        self, session: Session, connection: AccountingConnection, label: str, changes: Changes, clock: Clock
    ) -> None:
        self.session, self.connection, self.label, self.changes, self.clock = session, connection, label, changes, clock
        self.clients = ClientResolver(session, connection, changes, clock)
        self.created: list[Invoice] = []
        self.updated: list[int] = []

    def external_id(self, remote: RemoteInvoice) -> str:
        return f"{self.connection.provider}:{self.connection.tenant_id}:{remote.external_id}"[:128]

    def apply(self, invoices: list[RemoteInvoice]) -> None:
        links = _links(self.session, self.connection, INVOICE, [r.external_id for r in invoices])
        self.clients.preload([r.contact.external_id for r in invoices])
        locked = self._lock([link.local_id for link in links.values()])
        by_number = self._by_number([r.number for r in invoices if r.external_id not in links])
        new: list[tuple[RemoteInvoice, _Amounts, Invoice]] = []
        for remote in invoices:
            try:
                amounts = _amounts(remote)
                link = links.get(remote.external_id)
                if link is None:
                    invoice = self._create(remote, amounts, by_number)
                    if invoice is not None:
                        new.append((remote, amounts, invoice))
                elif (invoice := locked.get(link.local_id)) is not None:
                    self._follow_books(invoice, remote, amounts, link)
                    self._payments(invoice, remote, amounts)
                    link.online_url = remote.online_url
                    link.synced_at = self.clock.now()
            except RowError as exc:
                self.changes.error(INVOICE, remote.external_id, str(exc))
        # New invoices are inserted in one flush; their links and any payment made in the books follow.
        self.session.flush()
        for remote, amounts, invoice in new:
            add_link(
                self.session, self.connection, INVOICE, remote.external_id, invoice.id, self.clock, remote.online_url
            )
            try:
                self._payments(invoice, remote, amounts)
            except RowError as exc:
                self.changes.error(INVOICE, remote.external_id, str(exc))
        self.session.flush()
        if self.created:
            publish(self.session, InvoiceChange.created, [invoice.id for invoice in self.created], self.clock)
        if self.updated:
            publish(self.session, InvoiceChange.updated, self.updated, self.clock)

    def void_deleted(self, external_ids: list[str]) -> None:
        """Invoices the provider says were deleted or voided: voided here, which cancels their reminders."""
        links = _links(self.session, self.connection, INVOICE, external_ids)
        locked = self._lock([link.local_id for link in links.values()])
        for external_id, link in links.items():
            invoice = locked.get(link.local_id)
            if invoice is None:
                continue
            try:
                self._void(invoice, "deleted or voided")
            except RowError as exc:
                self.changes.error(INVOICE, external_id, str(exc))
        if self.updated:
            publish(self.session, InvoiceChange.updated, self.updated, self.clock)

    def _lock(self, invoice_ids: list[int]) -> dict[int, Invoice]:
        """The page's linked invoices read under their row locks in one statement (invariant 11): a payment
        or void at this moment waits for the page, then sees what it changed. SQLite: the transaction already
        holds the write lock (db.transaction begins IMMEDIATE)."""
        if not invoice_ids:
            return {}
        rows = self.session.scalars(
            select(Invoice)
            .where(Invoice.account_id == self.connection.account_id, Invoice.id.in_(invoice_ids))
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return {row.id: row for row in rows}

    def _by_number(self, numbers: list[str]) -> dict[str, Invoice]:
        if not numbers:
            return {}
        rows = self.session.scalars(
            select(Invoice).where(Invoice.account_id == self.connection.account_id, Invoice.number.in_(numbers))
        )
        return {row.number: row for row in rows}

    def _create(self, remote: RemoteInvoice, amounts: _Amounts, by_number: dict[str, Invoice]) -> Invoice | None:
        if remote.status != OPEN or amounts.owed - amounts.paid <= 0:
            # Only what is still owed is imported; a paid or void invoice the books never had open here stays out.
            self.changes.add("invoices_skipped")
            return None
        external_id = self.external_id(remote)
        same_number = by_number.get(remote.number)
        if same_number is not None:
            return self._match(same_number, remote, amounts, external_id)
        client = self.clients.client_for(remote.contact, update=False)
        now = self.clock.now()
        invoice = Invoice(
            account_id=self.connection.account_id,
            client_id=client.id,
            number=remote.number,
            amount_minor=amounts.owed,
            amount_paid_minor=0,
            fees_minor=0,
            currency=amounts.currency,
            issue_date=remote.issue_date,
            due_date=max(remote.due_date, remote.issue_date),
            status=InvoiceStatus.open,
            external_id=external_id,
            reminders_excluded=False,
            reminders_paused=False,
            created_at=now,
            updated_at=now,
        )
        self.session.add(invoice)
        by_number[remote.number] = invoice
        self.created.append(invoice)
        self.changes.add("invoices_created")
        return invoice

    def _match(self, invoice: Invoice, remote: RemoteInvoice, amounts: _Amounts, external_id: str) -> Invoice:
        """An invoice typed into DueSpark before the books were connected: linked, not duplicated."""
        if invoice.external_id not in (None, external_id):
            raise RowError(f"invoice number {remote.number!r} is already used by another invoice in DueSpark")
        if invoice.currency != amounts.currency or invoice.status == InvoiceStatus.void:
            raise RowError(f"DueSpark already has an invoice numbered {remote.number!r} in another currency or void")
        invoice = lock_for_update(self.session, invoice)
        invoice.external_id = external_id
        self.changes.add("invoices_matched")
        return invoice

    def _follow_books(self, invoice: Invoice, remote: RemoteInvoice, amounts: _Amounts, link: AccountingLink) -> None:
        if remote.status == VOID or amounts.owed == 0:
            self._void(invoice, "voided or deleted" if remote.status == VOID else "credited in full")
            return
        if invoice.status == InvoiceStatus.void:
            return
        before = audit.snapshot(invoice, SYNCED_FIELDS)
        edited_here = invoice.updated_at > link.synced_at
        if invoice.amount_paid_minor and amounts.currency != invoice.currency:
            raise RowError("the currency changed in the books after payments were recorded in DueSpark")
        number_taken = remote.number != invoice.number and self.session.scalar(
            select(Invoice.id).where(Invoice.account_id == invoice.account_id, Invoice.number == remote.number)
        )
        if not number_taken:
            invoice.number = remote.number
        invoice.amount_minor = max(amounts.owed, 1)
        invoice.currency = amounts.currency
        invoice.issue_date = remote.issue_date
        invoice.due_date = max(remote.due_date, remote.issue_date)
        changes = audit.diff(before, audit.snapshot(invoice, SYNCED_FIELDS))
        if not changes:
            return
        now = self.clock.now()
        invoice.updated_at = now
        settle_status(invoice, paid_at=now)
        audit.record(
            self.session,
            account_id=invoice.account_id,
            # Edited in DueSpark since the last sync and changed in the books too: the books win, said plainly.
            action="accounting.conflict" if edited_here else "accounting.updated",
            entity_type="invoice",
            entity_id=invoice.id,
            now=now,
            changes={**changes, "source": self.label},
        )
        self.updated.append(invoice.id)
        self.changes.add("conflicts_resolved" if edited_here else "invoices_updated")

    def _void(self, invoice: Invoice, why: str) -> None:
        if invoice.status == InvoiceStatus.void:
            return
        try:
            void_invoice(self.session, invoice=invoice, clock=self.clock)
            self.changes.add("invoices_voided")
        except Conflict:
            # Money was recorded against it here: it stays, with its reminders off, for the user to settle.
            if not invoice.reminders_excluded:
                invoice.reminders_excluded = True
                invoice.updated_at = self.clock.now()
                self.updated.append(invoice.id)
            raise RowError(f"{why} in {self.label}, but DueSpark has payments on it: reminders stopped") from None

    def _payments(self, invoice: Invoice, remote: RemoteInvoice, amounts: _Amounts) -> None:
        if invoice.status == InvoiceStatus.void:
            return
        missing = amounts.paid - invoice.amount_paid_minor
        if missing > 0:
            apply_payment(
                self.session,
                invoice=invoice,
                amount_minor=missing,
                method=PaymentMethod.other,
                paid_at=self.clock.now(),
                clock=self.clock,
                external_reference=f"{self.connection.provider}:{remote.external_id}:{amounts.paid}"[:255],
                note=f"Paid in {self.label}",
            )
            self.changes.add("payments_recorded")
        elif missing < 0:
            # Money DueSpark recorded (a card payment, say) that the books do not show yet is never taken back.
            raise RowError(f"DueSpark has recorded more paid than {self.label} shows; check the books")


def apply_invoices(
    session: Session,
    *,
    connection: AccountingConnection,
    label: str,
    invoices: list[RemoteInvoice],
    changes: Changes,
    clock: Clock,
    deleted: list[str] | None = None,
) -> None:
    """A page of invoices, then those the provider says were deleted (each applier publishes its own changes)."""
    InvoiceApplier(session, connection, label, changes, clock).apply(invoices)
    if deleted:
        InvoiceApplier(session, connection, label, changes, clock).void_deleted(deleted)
