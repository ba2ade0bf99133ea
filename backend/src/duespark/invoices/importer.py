"""CSV import: every bad row reported with its line and reason; a real import is all-or-nothing."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.clock import Clock, today_in
from duespark.db import analyze_after_commit, bulk_insert, refresh_statistics
from duespark.errors import DomainError, InvalidInput, PayloadTooLarge
from duespark.invoices.events import InvoiceChange, publish
from duespark.invoices.schemas import ImportReport, ImportRowError
from duespark.models import Account, Client, Invoice
from duespark.models.enums import ClientType, InvoiceStatus
from duespark.money import MoneyError, normalize_currency, parse_amount
from duespark.onboarding.import_options import ImportOptions, not_chased_before, plan_import
from duespark.onboarding.preview import first_wave
from duespark.settings import Settings
from duespark.textfields import check_single_line

# What an import grows: PostgreSQL's statistics of them are refreshed once it commits.
GROWN_TABLES = ("clients", "invoices", "reminders", "reminder_send_slots")
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Cells that end up in email headers or one-line places (a quoted CSV cell can hold a line break).
SINGLE_LINE_COLUMNS = ("number", "client_name", "client_company", "client_email")
MAX_IMPORT_ROWS = 100_000
MAX_REPORTED_ERRORS = 1000
# Rows with no values (Excel writes ";;;;" for formatted empty cells) are skipped, but still cost time:
# a file of nothing else (8 MB is a million of them) must not keep a request busy for seconds.
MAX_BLANK_ROWS = 10_000
REQUIRED_COLUMNS = ("number", "amount", "due_date")
KNOWN_COLUMNS = (
    "number",
    "client_email",
    "client_name",
    "client_company",
    "amount",
    "currency",
    "issue_date",
    "due_date",
    "description",
    "external_id",
)
TEXT_LIMITS = {
    "number": 64,
    "client_name": 200,
    "client_company": 200,
    "client_email": 320,
    "external_id": 128,
    "description": 10_000,  # as for invoices made in the API
}


class ImportRejected(DomainError):
    status_code = 422
    error = "ImportRejected"


@dataclass(slots=True)
class _Row:
    line: int
    number: str
    client_key: str
    client_name: str
    client_email: str | None
    client_company: str | None
    amount_minor: int
    currency: str
    issue_date: date
    due_date: date
    description: str | None
    external_id: str | None


@dataclass
class _Parsed:
    rows: list[_Row] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    total: int = 0


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), or UTF-16 with one (Excel's "Unicode Text")."""
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, the largest an import takes "
            f"(up to {MAX_IMPORT_ROWS:,} rows): split it into smaller files"
        )
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", f"The file is not UTF-8 text (byte {exc.start}); export it as 'CSV UTF-8'") from None
    nul = text.find("\x00")
    if nul >= 0:
        # UTF-16 without its byte order mark, or not text at all (a spreadsheet's .xlsx).
        line = text.count("\n", 0, nul) + 1
        raise InvalidInput("file", f"The file contains NUL bytes (line {line}); export it as 'CSV UTF-8'")
    return text


def _reader(text: str) -> csv.DictReader:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames:
        raise InvalidInput("file", "The file is empty; the first line must name the columns")
    reader.fieldnames = [(name or "").strip().lower().replace(" ", "_") for name in reader.fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in reader.fieldnames]
    if missing or not ({"client_email", "client_name"} & set(reader.fieldnames)):
        needed = missing or ["client_email or client_name"]
        raise InvalidInput("file", f"Missing column(s): {', '.join(needed)}. Known columns: {', '.join(KNOWN_COLUMNS)}")
    return reader


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _european_amount(text: str) -> str:
    """In semicolon files (Excel in most of Europe) the comma is the decimal mark: 1.250,00."""
    return text.replace(".", "").replace(",", ".")


def _parse(text: str, default_currency: str) -> _Parsed:
    parsed = _Parsed()
    blank_rows = 0
    reader = _reader(text)
    decimal_comma = reader.reader.dialect.delimiter == ";"
    # Rows are read as lists and only the known columns are looked at: a file of thousands of columns
    # costs no more than its known ones (a dict per row of every column did).
    width = len(reader.fieldnames)
    columns = {name: index for index, name in enumerate(reader.fieldnames) if name in KNOWN_COLUMNS}
    currencies: dict[str, str] = {}  # as written -> its ISO code, for the codes seen valid
    try:
        # A row is reported at the line it starts on (a quoted cell can span lines).
        ended = reader.reader.line_num
        for raw in reader.reader:
            line, ended = ended + 1, reader.reader.line_num
            if not raw:
                continue  # an empty line is no row (as csv.DictReader has it)
            parsed.total += 1
            if parsed.total > MAX_IMPORT_ROWS:
                raise InvalidInput("file", f"The file has more than {MAX_IMPORT_ROWS} rows; split it")
            if not any(cell.strip() for cell in raw[:width]):
                parsed.total -= 1
                blank_rows += 1
                if blank_rows > MAX_BLANK_ROWS:
                    raise InvalidInput("file", f"The file has more than {MAX_BLANK_ROWS} empty rows; remove them")
                continue
            cells = {name: raw[index].strip() if index < len(raw) else "" for name, index in columns.items()}
            row_errors: list[ImportRowError] = []

            def fail(column: str | None, message: str, line: int = line, errors=row_errors) -> None:
                errors.append(ImportRowError(line=line, field=column, message=message))

            for column, limit in TEXT_LIMITS.items():
                if len(cells.get(column, "")) > limit:
                    fail(column, f"longer than {limit} characters")
            for column in SINGLE_LINE_COLUMNS:
                try:
                    check_single_line(cells.get(column))
                except ValueError as exc:
                    fail(column, str(exc))
            if len(raw) > width:
                fail(None, "the row has more cells than the header")
            number = cells.get("number", "")
            if not number:
                fail("number", "the invoice number is missing")
            email = cells.get("client_email") or None
            name = cells.get("client_name") or email or ""
            if not name:
                fail("client_name", "give client_name or client_email")
            if email and ("@" not in email or " " in email):
                fail("client_email", f"{email!r} is not an email address")
            currency = default_currency
            code = cells.get("currency") or default_currency
            try:
                currency = currencies.get(code) or currencies.setdefault(code, normalize_currency(code))
            except MoneyError as exc:
                fail("currency", str(exc))
            amount_minor = 0
            try:
                amount_text = cells.get("amount", "")
                amount_minor = parse_amount(_european_amount(amount_text) if decimal_comma else amount_text, currency)
            except MoneyError as exc:
                fail("amount", str(exc))
            due = issue = date.min
            try:
                due = _parse_date(cells.get("due_date", ""))
            except ValueError as exc:
                fail("due_date", str(exc))
            try:
                issue = _parse_date(cells["issue_date"]) if cells.get("issue_date") else due
            except ValueError as exc:
                fail("issue_date", str(exc))
            if due != date.min and issue != date.min and due < issue:
                fail("due_date", "due_date is before issue_date")
            if row_errors:
                # Rows are still checked (to count the valid ones) but only the first errors are kept.
                if len(parsed.errors) < MAX_REPORTED_ERRORS:
                    parsed.errors.extend(row_errors)
                continue
            parsed.rows.append(
                _Row(
                    line=line,
                    number=number,
                    client_key=(email or name).lower(),
                    client_name=name,
                    client_email=email,
                    client_company=cells.get("client_company") or None,
                    amount_minor=amount_minor,
                    currency=currency,
                    issue_date=issue,
                    due_date=due,
                    description=cells.get("description") or None,
                    external_id=cells.get("external_id") or None,
                )
            )
    except csv.Error as exc:
        raise InvalidInput("file", f"The file is not valid CSV near line {reader.reader.line_num}: {exc}") from None
    return parsed


def _check_uniqueness(session: Session, account_id: int, parsed: _Parsed) -> None:
    existing_numbers = set(session.scalars(select(Invoice.number).where(Invoice.account_id == account_id)))
    existing_external = set(
        session.scalars(
            select(Invoice.external_id).where(Invoice.account_id == account_id, Invoice.external_id.is_not(None))
        )
    )
    seen_numbers: dict[str, int] = {}
    seen_external: dict[str, int] = {}
    kept: list[_Row] = []
    for row in parsed.rows:
        problem = None
        if row.number in existing_numbers:
            problem = ("number", f"invoice {row.number!r} already exists")
        elif row.number in seen_numbers:
            problem = ("number", f"invoice {row.number!r} is also on line {seen_numbers[row.number]}")
        elif row.external_id and row.external_id in existing_external:
            problem = ("external_id", f"external id {row.external_id!r} was already imported")
        elif row.external_id and row.external_id in seen_external:
            problem = (
                "external_id",
                f"external id {row.external_id!r} is also on line {seen_external[row.external_id]}",
            )
        if problem:
            parsed.errors.append(ImportRowError(line=row.line, field=problem[0], message=problem[1]))
            continue
        seen_numbers[row.number] = row.line
        if row.external_id:
            seen_external[row.external_id] = row.line
        kept.append(row)
    parsed.rows = kept


def _existing_clients(session: Session, account_id: int) -> dict[str, int]:
    clients: dict[str, int] = {}
    for client_id, name, email in session.execute(
        select(Client.id, Client.name, Client.email)
        .where(Client.account_id == account_id, Client.deleted_at.is_(None))
        .order_by(Client.id.desc())
    ):
        clients[name.lower()] = client_id
        if email:
            clients[email.lower()] = client_id
    return clients


def import_invoices(
    session: Session,
    *,
    account_id: int,
    data: bytes,
    dry_run: bool,
    clock: Clock,
    options: ImportOptions | None = None,
    settings: Settings | None = None,
) -> ImportReport:
    """Check the file and, for real, create its invoices. A dry run does the real import inside a
    savepoint it rolls back, to report what the options change and what goes out first (`settings`)."""
    options = options or ImportOptions()
    account = session.get(Account, account_id)
    assert account is not None
    parsed = _parse(_decode(data), account.default_currency)
    _check_uniqueness(session, account_id, parsed)
    parsed.errors.sort(key=lambda e: e.line)
    clients = _existing_clients(session, account_id)
    new_clients: dict[str, _Row] = {}
    for row in parsed.rows:
        if row.client_key not in clients and row.client_key not in new_clients:
            new_clients[row.client_key] = row
    report = ImportReport(
        dry_run=dry_run,
        total_rows=parsed.total,
        valid_rows=len(parsed.rows),
        created=0,
        clients_to_create=sorted(row.client_name for row in new_clients.values()),
        errors=parsed.errors[:MAX_REPORTED_ERRORS],
    )
    if dry_run and not parsed.rows:
        return report
    if not dry_run and parsed.errors:
        raise ImportRejected(report.model_dump(mode="json"))
    if not parsed.rows:
        raise InvalidInput("file", "The file has no invoice rows")
    savepoint = session.begin_nested() if dry_run else None
    now = clock.now()
    today = today_in(clock, account.timezone)
    # Invoices the options leave unchased go in paused, not paused by an UPDATE after planning (on PostgreSQL
    # that wrote 30,000 of 50,000 fresh rows again, with all their index entries: 2 s).
    old_before = not_chased_before(options, today) or date.min
    # Rows go in with COPY (PostgreSQL) or one prepared INSERT (SQLite), not through the ORM, and ids
    # are read back with one SELECT: rows are told apart by their account, instant and key.
    if new_clients:
        bulk_insert(
            session,
            Client.__table__,
            (
                {
                    "account_id": account_id,
                    "name": row.client_name,
                    "email": row.client_email,
                    "company": row.client_company,
                    "client_type": ClientType.business.value,
                    "reminders_paused": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for row in new_clients.values()
            ),
        )
        for client_id, name, email in session.execute(
            select(Client.id, Client.name, Client.email).where(
                Client.account_id == account_id, Client.created_at == now
            )
        ):
            key = (email or name).lower()
            if key in new_clients:
                clients[key] = client_id
    bulk_insert(
        session,
        Invoice.__table__,
        (
            {
                "account_id": account_id,
                "client_id": clients[row.client_key],
                "number": row.number,
                "amount_minor": row.amount_minor,
                "amount_paid_minor": 0,
                "currency": row.currency,
                "issue_date": row.issue_date,
                "due_date": row.due_date,
                "status": InvoiceStatus.open.value,
                "description": row.description,
                "external_id": row.external_id,
                "reminders_excluded": False,
                "reminders_paused": row.due_date < old_before,
                # Planned below in this transaction (plan_import, stamped=True): not rewritten to say so.
                "reminders_planned_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for row in parsed.rows
        ),
    )
    # The planning below joins what was just inserted: without statistics PostgreSQL takes the tables for
    # empty and nests a loop over every client for each of 50,000 invoices (2 s, twice). ANALYZE in this
    # transaction counts its own uncommitted rows; after a dry run's rollback the figures are too high
    # until autovacuum, which misleads no plan of small tables.
    refresh_statistics(session.connection(), ("clients", "invoices"))
    numbers = {row.number for row in parsed.rows}
    imported_ids = [
        invoice_id
        for invoice_id, number in session.execute(
            select(Invoice.id, Invoice.number).where(Invoice.account_id == account_id, Invoice.created_at == now)
        )
        if number in numbers
    ]
    report.created = len(imported_ids)
    # The import plans its invoices itself, the options applied as their reminders are made (not planned by
    # the `created` event's listener and then rewritten by a second pass), before telling the listeners.
    report.options = plan_import(
        session, account_id=account_id, invoice_ids=imported_ids, options=options, today=today, clock=clock
    )
    publish(session, InvoiceChange.created, imported_ids, clock)
    if savepoint is not None:
        if settings is not None:
            report.first_wave = first_wave(session, account_id=account_id, settings=settings, clock=clock)
        savepoint.rollback()
        report.created = 0
    else:
        analyze_after_commit(session, *GROWN_TABLES)
    return report
