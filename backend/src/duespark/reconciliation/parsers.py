"""What a bank statement file holds, whichever format it came in: `ParsedStatement` with its entries.

`parse_statement` looks at the bytes (never trusts the file name alone): XML is read as CAMT.053
(camt.py), anything else as a bank's CSV export (csvfile.py). Both give the same `ParsedEntry`, with a
key that is stable for the booking, so importing a file again finds the entries it already brought.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from duespark.errors import InvalidInput

# An entry's texts are cut to what the columns hold; banks send at most 140 characters per line.
MAX_NAME = 200
MAX_REMITTANCE = 2000
MAX_REFERENCE = 64
MAX_BANK_REFERENCE = 200
# Upper bound on entries in one file (a 10 MB CAMT file holds about 10,000).
MAX_ENTRIES = 50_000

SKIP_DEBIT = "debit: money going out, not a payment from a client"
SKIP_REVERSAL = "reversal of an earlier booking, not a payment"
SKIP_NOT_BOOKED = "not booked yet (status {status})"
SKIP_ZERO = "zero amount"


class StatementFormatError(InvalidInput):
    """The file is not a statement this service reads: a 422 on the `file` field, saying why."""

    def __init__(self, message: str) -> None:
        super().__init__("file", message)


@dataclass
class ParsedEntry:
    booking_date: date
    amount_minor: int
    currency: str
    credit: bool
    payer_name: str | None = None
    remittance: str | None = None
    creditor_reference: str | None = None
    bank_reference: str | None = None
    skip_reason: str | None = None
    # The bank's own id for the booking (CAMT AcctSvcrRef/NtryRef + position), when it gives one.
    bank_key: str | None = None
    key: str = ""


@dataclass
class ParsedStatement:
    format: str
    entries: list[ParsedEntry] = field(default_factory=list)
    statement_ref: str | None = None
    iban: str | None = None


def clip(text: str | None, limit: int) -> str | None:
    """Whitespace collapsed, control characters out, at most `limit` characters; None for nothing."""
    if text is None:
        return None
    kept = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return kept[:limit] or None


def assign_keys(statement: ParsedStatement) -> None:
    """A key per entry that is the same each time the same booking is imported.

    The bank's own reference where there is one; otherwise a hash of the booking's fields plus how
    many identical bookings came before it in the file (two equal transfers on one day stay two)."""
    seen: Counter[str] = Counter()
    scope = statement.iban or ""
    for entry in statement.entries:
        if entry.bank_key:
            entry.key = f"{statement.format}:{scope}:{entry.bank_key}"[:200]
            continue
        fields = "\x1f".join(
            (
                scope,
                entry.booking_date.isoformat(),
                str(entry.amount_minor),
                entry.currency,
                "C" if entry.credit else "D",
                entry.payer_name or "",
                entry.remittance or "",
                entry.creditor_reference or "",
            )
        )
        digest = hashlib.sha256(fields.encode()).hexdigest()[:40]
        seen[digest] += 1
        entry.key = f"{statement.format}:h:{digest}:{seen[digest]}"


def parse_statement(data: bytes, *, file_name: str, default_currency: str) -> ParsedStatement:
    """Parse a CAMT.053 or CSV file; raises StatementFormatError (422 on `file`) saying what is wrong."""
    from duespark.reconciliation import camt, csvfile

    if not data.strip():
        raise StatementFormatError("The file is empty")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    statement = camt.parse(data) if head == b"<" else csvfile.parse(data, default_currency=default_currency)
    if len(statement.entries) > MAX_ENTRIES:
        raise StatementFormatError(f"A statement may hold at most {MAX_ENTRIES} entries")
    assign_keys(statement)
    return statement
