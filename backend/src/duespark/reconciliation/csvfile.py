"""Banks' CSV exports: the columns found by their header names in English, German, French and Spanish.

The header row may follow a few lines of preamble (account, period), the delimiter is `;`, `,` or a tab,
amounts may use a decimal comma ("1.234,56") or a point ("1,234.56"), and either one signed amount column
or separate credit and debit columns. A layout without a date and an amount is a 422 naming them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from duespark.money import MoneyError, currency_exponent, normalize_currency
from duespark.reconciliation.parsers import (
    MAX_NAME,
    MAX_REMITTANCE,
    SKIP_DEBIT,
    SKIP_ZERO,
    ParsedEntry,
    ParsedStatement,
    StatementFormatError,
    clip,
)

HEADER_SEARCH_ROWS = 30
# Normalised header names (lower case, no accents, no punctuation, "(EUR)" removed), best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "booking date",
        "transaction date",
        "posting date",
        "posted date",
        "date",
        "buchungstag",
        "buchungsdatum",
        "datum",
        "date operation",
        "date d operation",
        "date de l operation",
        "date comptable",
        "date de comptabilisation",
        "fecha",
        "fecha operacion",
        "fecha contable",
        "fecha de operacion",
        "value date",
        "valuta",
        "valutadatum",
        "wertstellung",
        "date valeur",
        "date de valeur",
        "fecha valor",
    ),
    "amount": (
        "amount",
        "transaction amount",
        "value",
        "betrag",
        "umsatz",
        "betrag eur",
        "montant",
        "montant eur",
        "importe",
        "cantidad",
    ),
    "credit": (
        "credit",
        "credit amount",
        "paid in",
        "money in",
        "haben",
        "gutschrift",
        "eingang",
        "credit eur",
        "montant credit",
        "abono",
        "haber",
        "ingreso",
        "ingresos",
    ),
    "debit": (
        "debit",
        "debit amount",
        "paid out",
        "money out",
        "soll",
        "lastschrift",
        "ausgang",
        "montant debit",
        "cargo",
        "debe",
        "gasto",
        "gastos",
    ),
    "currency": ("currency", "ccy", "wahrung", "waehrung", "devise", "monnaie", "divisa", "moneda"),
    "payer": (
        "payer",
        "payer name",
        "counterparty",
        "counterparty name",
        "name",
        "from",
        "payee payer",
        "payer payee",
        "auftraggeber",
        "zahlungspflichtiger",
        "name zahlungsbeteiligter",
        "beguenstigter zahlungspflichtiger",
        "begunstigter zahlungspflichtiger",
        "auftraggeber begunstigter",
        "auftraggeber beguenstigter",
        "auftraggeber empfanger",
        "empfanger auftraggeber",
        "zahlungsbeteiligter",
        "tiers",
        "emetteur",
        "donneur d ordre",
        "nom",
        "contrepartie",
        "ordenante",
        "nombre",
        "beneficiario ordenante",
        "ordenante beneficiario",
        "contraparte",
    ),
    "remittance": (
        "remittance information",
        "remittance",
        "payment reference",
        "reference",
        "details",
        "description",
        "memo",
        "narrative",
        "verwendungszweck",
        "zahlungsreferenz",
        "buchungstext",
        "libelle",
        "motif",
        "reference du virement",
        "communication",
        "concepto",
        "referencia",
        "descripcion",
        "observaciones",
    ),
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d/%m/%y", "%Y/%m/%d")
AMOUNT_TEXT = re.compile(r"^[+-]?\(?\d[\d.,]*\)?-?$")
NEGATIVE_TRAILING = re.compile(r"^(.*\d)\s*-$")
DECIMAL_COMMA = re.compile(r"\d,\d{1,2}(?:\D*)$")
DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?:\D*)$")
CURRENCY_IN_HEADER = re.compile(r"\(([A-Za-z]{3})\)|\b(EUR|USD|GBP|CHF)\b")


def normalise_header(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = re.sub(r"\([^)]*\)", " ", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise StatementFormatError("Not a CSV export: the file is binary")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(lines: list[str]) -> str:
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def _map_header(row: list[str]) -> dict[str, int]:
    names = [normalise_header(cell) for cell in row]
    found: dict[str, int] = {}
    for column, synonyms in COLUMNS.items():
        best = None
        for rank, synonym in enumerate(synonyms):
            for index, name in enumerate(names):
                if index in found.values():
                    continue
                if name == synonym and (best is None or rank < best[0]):
                    best = (rank, index)
        if best is not None:
            found[column] = best[1]
    return found


def _has_amount(found: dict[str, int]) -> bool:
    return "amount" in found or "credit" in found


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _map_header(row)
        if "date" in found and _has_amount(found):
            return index, found
        if best is None or len(found) > len(best[1]):
            best = (index, found)
    found = best[1] if best else {}
    missing = [
        name for name, ok in (("date", "date" in found), ("amount (or credit/debit)", _has_amount(found))) if not ok
    ]
    header = [cell.strip() for cell in rows[best[0]]][:12] if best and rows else []
    raise StatementFormatError(
        "Not a bank statement export this service can read: missing columns "
        + ", ".join(missing)
        + (f" (the header row found: {', '.join(repr(h[:40]) for h in header)})" if header else "")
    )


def _decimal_comma(values: list[str]) -> bool:
    commas = sum(1 for v in values if DECIMAL_COMMA.search(v.strip()))
    points = sum(1 for v in values if DECIMAL_POINT.search(v.strip()))
    return commas > points


def _amount(text: str, *, decimal_comma: bool, currency: str, line: int) -> int | None:
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    raw = re.sub(r"[€$£¥]|\b[A-Z]{3}\b|^[A-Z]{3}|[A-Z]{3}$", "", raw)
    if not raw:
        return None
    if not AMOUNT_TEXT.match(raw):
        raise StatementFormatError(f"Line {line}: the amount {text.strip()[:40]!r} is not a number")
    negative = raw.startswith("-") or (raw.startswith("(") and raw.endswith(")"))
    trailing = NEGATIVE_TRAILING.match(raw)
    if trailing:
        negative, raw = True, trailing.group(1)
    raw = raw.strip("()+-")
    raw = raw.replace(".", "").replace(",", ".") if decimal_comma else raw.replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise StatementFormatError(f"Line {line}: the amount {text.strip()[:40]!r} is not a number") from None
    minor = amount.scaleb(currency_exponent(currency))
    if minor != minor.to_integral_value():
        raise StatementFormatError(f"Line {line}: {text.strip()[:40]!r} has more decimals than {currency} has")
    return -int(minor) if negative else int(minor)


def _date_format(values: list[str]) -> str:
    for fmt in DATE_FORMATS:
        try:
            for value in values:
                datetime.strptime(value, fmt)
        except ValueError:
            continue
        return fmt
    sample = next(iter(values), "")
    raise StatementFormatError(f"The dates cannot be read (for example {sample[:40]!r}); use DD.MM.YYYY or YYYY-MM-DD")


def _currency(rows_header: list[str], found: dict[str, int], default_currency: str) -> str:
    for key in ("amount", "credit"):
        if key in found:
            match = CURRENCY_IN_HEADER.search(rows_header[found[key]])
            if match:
                return (match.group(1) or match.group(2)).upper()
    return default_currency


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def parse(data: bytes, *, default_currency: str) -> ParsedStatement:
    text = _decode(data)
    lines = text.splitlines()
    delimiter = _delimiter(lines[:HEADER_SEARCH_ROWS])
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise StatementFormatError(f"Not a CSV export: {exc}") from None
    header_index, found = _find_header(rows)
    body = [
        (header_index + 2 + i, row) for i, row in enumerate(rows[header_index + 1 :]) if any(c.strip() for c in row)
    ]
    body = [(n, row) for n, row in body if _cell(row, found["date"])]
    header_currency = _currency(rows[header_index], found, default_currency)
    amount_cells = [_cell(row, found.get(k)) for _, row in body for k in ("amount", "credit", "debit") if k in found]
    decimal_comma = _decimal_comma(amount_cells) if any(amount_cells) else delimiter == ";"
    date_format = _date_format([_cell(row, found["date"]) for _, row in body])
    parsed = ParsedStatement(format="csv")
    for line, row in body:
        try:
            currency = normalize_currency(_cell(row, found.get("currency")) or header_currency)
        except MoneyError as exc:
            raise StatementFormatError(f"Line {line}: {exc}") from None
        if "amount" in found:
            amount = _amount(_cell(row, found["amount"]), decimal_comma=decimal_comma, currency=currency, line=line)
        else:
            credit = _amount(_cell(row, found["credit"]), decimal_comma=decimal_comma, currency=currency, line=line)
            debit = _amount(_cell(row, found.get("debit")), decimal_comma=decimal_comma, currency=currency, line=line)
            amount = abs(credit) if credit else (-abs(debit) if debit else 0)
        amount = amount or 0
        booked: date = datetime.strptime(_cell(row, found["date"]), date_format).date()
        entry = ParsedEntry(
            booking_date=booked,
            amount_minor=abs(amount),
            currency=currency,
            credit=amount > 0,
            payer_name=clip(_cell(row, found.get("payer")), MAX_NAME),
            remittance=clip(_cell(row, found.get("remittance")), MAX_REMITTANCE),
        )
        if amount < 0:
            entry.skip_reason = SKIP_DEBIT
        elif amount == 0:
            entry.skip_reason = SKIP_ZERO
        parsed.entries.append(entry)
    return parsed
