"""ISO 20022 CAMT.053 (BkToCstmrStmt), versions camt.053.001.02 to .08, read with defusedxml.

defusedxml refuses any DTD (so no external entities, no entity expansion: XXE and billion laughs fail
before a byte is expanded). Only booked credits are candidate payments; debits, reversals and bookings
not yet booked are kept as skipped with the reason. A batch booking (one `Ntry`, several `TxDtls`) is one
entry per transaction. Remittance: every `RmtInf/Ustrd` line and the creditor reference
`RmtInf/Strd/CdtrRefInf/Ref`; payer: `RltdPties/Dbtr/Nm` (up to .07) or `RltdPties/Dbtr/Pty/Nm` (.08).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from duespark.money import MoneyError, normalize_currency, parse_amount
from duespark.reconciliation.parsers import (
    MAX_BANK_REFERENCE,
    MAX_NAME,
    MAX_REFERENCE,
    MAX_REMITTANCE,
    SKIP_DEBIT,
    SKIP_NOT_BOOKED,
    SKIP_REVERSAL,
    SKIP_ZERO,
    ParsedEntry,
    ParsedStatement,
    StatementFormatError,
    clip,
)

NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(0[2-8])\}Document$")
ANY_CAMT = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3}\.\d{3}\.\d{2})\}")


class _Reader:
    """Child lookups in the document's namespace, by plain paths like "RltdPties/Dbtr/Nm"."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, el: Element, path: str) -> Element | None:
        return el.find(self._path(path))

    def all(self, el: Element, path: str) -> list[Element]:
        return el.findall(self._path(path))

    def text(self, el: Element, path: str) -> str | None:
        found = self.find(el, path)
        return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _document(data: bytes) -> tuple[Element, str]:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise StatementFormatError(
            "The XML declares a DTD or entities, which a bank statement never does; it was not read"
        ) from None
    except (ParseError, ValueError) as exc:
        raise StatementFormatError(f"Not a CAMT.053 statement: the XML cannot be read ({exc})") from None
    match = NAMESPACE.match(root.tag)
    if match is None:
        other = ANY_CAMT.match(root.tag)
        found = other.group(1) if other else root.tag.rsplit("}", 1)[-1]
        raise StatementFormatError(f"Not a CAMT.053 statement (camt.053.001.02 to .08): the file is {found}")
    return root, root.tag[1:].split("}", 1)[0]


def _amount(reader: _Reader, el: Element | None) -> tuple[int, str] | None:
    if el is None or not el.text:
        return None
    try:
        currency = normalize_currency(el.get("Ccy", ""))
        return parse_amount(el.text.strip(), currency, allow_zero=True), currency
    except MoneyError as exc:
        raise StatementFormatError(f"An amount in the statement cannot be read: {exc}") from None


def _booking_date(reader: _Reader, entry: Element) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        text = reader.text(entry, path)
        if text:
            try:
                return date.fromisoformat(text[:10]) if path.endswith("Dt") else datetime.fromisoformat(text).date()
            except ValueError:
                raise StatementFormatError(f"A booking date cannot be read: {text[:40]!r}") from None
    raise StatementFormatError("An entry has no booking date (BookgDt) or value date (ValDt)")


def _status(reader: _Reader, entry: Element) -> str:
    # .02-.05: <Sts>BOOK</Sts>; .06 and later: <Sts><Cd>BOOK</Cd></Sts>.
    return (reader.text(entry, "Sts/Cd") or reader.text(entry, "Sts") or "BOOK").upper()


def _remittance(reader: _Reader, tx: Element | None) -> tuple[str | None, str | None]:
    if tx is None:
        return None, None
    lines = [el.text.strip() for el in reader.all(tx, "RmtInf/Ustrd") if el.text and el.text.strip()]
    refs = [el.text.strip() for el in reader.all(tx, "RmtInf/Strd/CdtrRefInf/Ref") if el.text and el.text.strip()]
    lines += [el.text.strip() for el in reader.all(tx, "RmtInf/Strd/AddtlRmtInf") if el.text and el.text.strip()]
    return clip(" ".join(lines), MAX_REMITTANCE), clip(refs[0], MAX_REFERENCE) if refs else None


def _payer(reader: _Reader, tx: Element | None) -> str | None:
    if tx is None:
        return None
    for path in ("RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm", "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm"):
        name = reader.text(tx, path)
        if name:
            return clip(name, MAX_NAME)
    return None


def _tx_amount(reader: _Reader, tx: Element) -> tuple[int, str] | None:
    return _amount(reader, reader.find(tx, "Amt")) or _amount(reader, reader.find(tx, "AmtDtls/TxAmt/Amt"))


def _entries_of(reader: _Reader, ntry: Element, *, statement_id: str | None) -> list[ParsedEntry]:
    total = _amount(reader, reader.find(ntry, "Amt"))
    if total is None:
        raise StatementFormatError("An entry has no amount (Ntry/Amt with its Ccy)")
    credit = reader.text(ntry, "CdtDbtInd") == "CRDT"
    reversal = (reader.text(ntry, "RvslInd") or "").lower() in ("true", "1")
    status = _status(reader, ntry)
    booked = _booking_date(reader, ntry)
    entry_ref = reader.text(ntry, "AcctSvcrRef")
    ntry_ref = reader.text(ntry, "NtryRef")
    txs = [tx for details in reader.all(ntry, "NtryDtls") for tx in reader.all(details, "TxDtls")]
    amounts = [_tx_amount(reader, tx) for tx in txs]
    # A batch splits per transaction only when each has its amount; else the entry is one booking.
    split = len(txs) > 1 and all(amounts)
    parts: list[tuple[Element | None, tuple[int, str], int]] = (
        [(tx, amount, i) for i, (tx, amount) in enumerate(zip(txs, amounts, strict=True)) if amount]
        if split
        else [(txs[0] if txs else None, total, 0)]
    )
    found = []
    for tx, (amount_minor, currency), index in parts:
        tx_credit = credit
        if tx is not None and split and reader.text(tx, "CdtDbtInd"):
            tx_credit = reader.text(tx, "CdtDbtInd") == "CRDT"
        remittance, creditor_ref = _remittance(reader, tx)
        if remittance is None and not split:  # some banks put the text on the entry itself
            remittance = clip(reader.text(ntry, "AddtlNtryInf"), MAX_REMITTANCE)
        tx_ref = reader.text(tx, "Refs/AcctSvcrRef") if tx is not None else None
        end_to_end = reader.text(tx, "Refs/EndToEndId") if tx is not None else None
        if end_to_end and end_to_end.upper() == "NOTPROVIDED":  # the placeholder SEPA requires
            end_to_end = None
        if tx_ref:
            bank_key = f"tx:{tx_ref}"
        elif entry_ref:
            bank_key = f"ntry:{entry_ref}:{index}"
        elif ntry_ref and statement_id:
            bank_key = f"stmt:{statement_id}:{ntry_ref}:{index}"
        else:
            bank_key = None
        skip = None
        if reversal:
            skip = SKIP_REVERSAL
        elif not tx_credit:
            skip = SKIP_DEBIT
        elif status != "BOOK":
            skip = SKIP_NOT_BOOKED.format(status=status[:10])
        elif amount_minor == 0:
            skip = SKIP_ZERO
        found.append(
            ParsedEntry(
                booking_date=booked,
                amount_minor=amount_minor,
                currency=currency,
                credit=tx_credit and not reversal,
                payer_name=_payer(reader, tx),
                remittance=remittance,
                creditor_reference=creditor_ref,
                bank_reference=clip(tx_ref or end_to_end or entry_ref or ntry_ref, MAX_BANK_REFERENCE),
                skip_reason=skip,
                bank_key=bank_key,
            )
        )
    return found


def parse(data: bytes) -> ParsedStatement:
    root, ns = _document(data)
    reader = _Reader(ns)
    container = reader.find(root, "BkToCstmrStmt")
    if container is None:
        raise StatementFormatError("Not a CAMT.053 statement: no BkToCstmrStmt element")
    statements = reader.all(container, "Stmt")
    if not statements:
        raise StatementFormatError("The CAMT.053 file holds no statement (Stmt)")
    parsed = ParsedStatement(format="camt053")
    for stmt in statements:
        statement_id = reader.text(stmt, "Id")
        parsed.statement_ref = parsed.statement_ref or clip(statement_id, 140)
        iban = reader.text(stmt, "Acct/Id/IBAN")
        parsed.iban = parsed.iban or (clip(iban.replace(" ", "").upper(), 34) if iban else None)
        for ntry in reader.all(stmt, "Ntry"):
            parsed.entries.extend(_entries_of(reader, ntry, statement_id=statement_id))
    return parsed
