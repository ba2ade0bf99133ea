"""CAMT.053 and CSV files read into entries: exact fields, every version, batch, reversal, debit, RF."""

from __future__ import annotations

from datetime import date

import pytest

from duespark.reconciliation.parsers import (
    SKIP_DEBIT,
    SKIP_REVERSAL,
    StatementFormatError,
    parse_statement,
)
from tests.reconciliation.samples import ENGLISH_CSV, GERMAN_CSV, IBAN, Ntry, Tx, camt053, day_statement


def _rows(statement):
    return [
        (
            e.booking_date,
            e.amount_minor,
            e.currency,
            e.credit,
            e.payer_name,
            e.remittance,
            e.creditor_reference,
            e.skip_reason,
        )
        for e in statement.entries
    ]


@pytest.mark.parametrize("version", [2, 3, 4, 5, 6, 7, 8])
def test_camt053_every_version_reads_the_same_day(version):
    statement = parse_statement(day_statement(version=version), file_name="day.xml", default_currency="EUR")
    assert (statement.format, statement.iban, statement.statement_ref) == ("camt053", IBAN, "STMT-2026-11-20")
    day = date(2026, 11, 20)
    assert _rows(statement) == [
        (day, 125_000, "EUR", True, "ACME GMBH", "Rechnung INV-1042 vielen Dank", None, None),
        # The batch booking: one entry per transaction, each with its own payer and text.
        (day, 30_000, "EUR", True, "Müller & Söhne KG", "INV 1043", None, None),
        (day, 45_000, "EUR", True, "Jürgen Weiß", "Miete November", None, None),
        (day, 15_000, "EUR", True, "Globex Corp", "inv1044 part", None, None),
        (day, 125_000, "EUR", False, "ACME GMBH", "Rückbuchung INV-1042", None, SKIP_REVERSAL),
        (day, 8_990, "EUR", False, None, "Telekom Rechnung", None, SKIP_DEBIT),
        (day, 50_000, "EUR", True, "Initech Ltd", None, "RF18539007547034", None),
    ]
    # Keys from the bank's own references: the transaction's where it has one, else the entry's and position.
    assert [e.key for e in statement.entries] == [
        f"camt053:{IBAN}:ntry:BANK-0001:0",
        f"camt053:{IBAN}:tx:BANK-0002-1",
        f"camt053:{IBAN}:tx:BANK-0002-2",
        f"camt053:{IBAN}:tx:BANK-0002-3",
        f"camt053:{IBAN}:ntry:BANK-0003:0",
        f"camt053:{IBAN}:ntry:BANK-0004:0",
        f"camt053:{IBAN}:ntry:BANK-0005:0",
    ]


def test_camt_without_bank_references_keys_by_fields_and_keeps_twins_apart():
    twins = [Ntry("10.00", txs=[Tx(payer="A", ustrd=["x"])]), Ntry("10.00", txs=[Tx(payer="A", ustrd=["x"])])]
    first = parse_statement(camt053(twins), file_name="a.xml", default_currency="EUR")
    again = parse_statement(camt053(twins), file_name="b.xml", default_currency="EUR")
    keys = [e.key for e in first.entries]
    assert keys == [e.key for e in again.entries]
    assert len(set(keys)) == 2 and keys[0].endswith(":1") and keys[1].endswith(":2")


def test_camt_pending_and_batch_without_amounts():
    statement = parse_statement(
        camt053(
            [
                Ntry("5.00", status="PDNG", acct_svcr_ref="P1", txs=[Tx(payer="A")]),
                # Two transactions without amounts: the entry stays one booking of its total.
                Ntry("30.00", acct_svcr_ref="B1", txs=[Tx(payer="A", ustrd=["one"]), Tx(payer="B", ustrd=["two"])]),
            ]
        ),
        file_name="p.xml",
        default_currency="EUR",
    )
    assert [(e.amount_minor, e.skip_reason, e.payer_name) for e in statement.entries] == [
        (500, "not booked yet (status PDNG)", "A"),
        (3000, None, "A"),
    ]


def test_german_csv_with_semicolons_decimal_comma_and_preamble():
    statement = parse_statement(GERMAN_CSV.encode("cp1252"), file_name="umsaetze.csv", default_currency="USD")
    assert statement.format == "csv"
    assert _rows(statement) == [
        (date(2026, 11, 18), 125_000, "EUR", True, "ACME GmbH", "Rechnung INV-1042", None, None),
        (date(2026, 11, 19), 30_000, "EUR", True, "Müller & Söhne KG", "INV 1043 Teilzahlung", None, None),
        (date(2026, 11, 19), 12_050, "EUR", False, "Stadtwerke", "Abschlag Strom", None, SKIP_DEBIT),
    ]
    # UTF-8 reads the same.
    assert _rows(parse_statement(GERMAN_CSV.encode(), file_name="u.csv", default_currency="USD")) == _rows(statement)


def test_english_csv_with_commas_and_quoted_thousands():
    statement = parse_statement(ENGLISH_CSV.encode(), file_name="export.csv", default_currency="GBP")
    assert _rows(statement) == [
        (date(2026, 11, 18), 125_000, "EUR", True, "ACME GMBH", "Payment, thank you INV-1042", None, None),
        (date(2026, 11, 19), 7_700, "EUR", True, "Unknown Person", "Transfer", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French: date d'opération, libellé, montant with a space as thousands separator.
        (
            "Date d'opération;Libellé;Tiers;Montant\n20/11/2026;VIR FACTURE F-77;Société Générale;1 234,56\n",
            (date(2026, 11, 20), 123_456, "EUR", True, "Société Générale", "VIR FACTURE F-77", None, None),
        ),
        # Spanish: fecha, concepto, ordenante, importe.
        (
            "Fecha;Concepto;Ordenante;Importe;Divisa\n19/11/2026;Factura F-78;Ruiz Consultores;2.000,00;EUR\n",
            (date(2026, 11, 19), 200_000, "EUR", True, "Ruiz Consultores", "Factura F-78", None, None),
        ),
        # Credit and debit columns instead of a signed amount.
        (
            "Date,Details,Paid in,Paid out\n18/11/2026,INV-9,120.00,\n",
            (date(2026, 11, 18), 12_000, "EUR", True, None, "INV-9", None, None),
        ),
    ],
)
def test_csv_layouts_in_other_languages(text, expected):
    assert _rows(parse_statement(text.encode(), file_name="x.csv", default_currency="EUR")) == [expected]


def test_csv_formula_in_payer_name_is_kept_as_text():
    text = "Date,Payer,Reference,Amount\n2026-11-18,\"=cmd|' /C calc'!A0\",INV-1,10.00\n"
    statement = parse_statement(text.encode(), file_name="x.csv", default_currency="EUR")
    assert statement.entries[0].payer_name == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"foo;bar;baz\n1;2;3\n",
            "Not a bank statement export this service can read: missing columns date, amount (or credit/debit) "
            "(the header row found: 'foo', 'bar', 'baz')",
        ),
        (
            b"Datum;Name;Text\n01.11.2026;a;b\n",
            "Not a bank statement export this service can read: missing columns amount (or credit/debit) "
            "(the header row found: 'Datum', 'Name', 'Text')",
        ),
        (b"\x00\x01\x02garbage", "Not a CSV export: the file is binary"),
        (b"   ", "The file is empty"),
        (
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "The XML declares a DTD or entities, which a bank statement never does; it was not read",
        ),
        (
            b"<html><body><p>hi</body></html>",
            "Not a CAMT.053 statement: the XML cannot be read (mismatched tag: line 1, column 19)",
        ),
        (b"<html><body>hi</body></html>", "Not a CAMT.053 statement (camt.053.001.02 to .08): the file is html"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>',
            "Not a CAMT.053 statement (camt.053.001.02 to .08): the file is camt.054.001.02",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
            "The CAMT.053 file holds no statement (Stmt)",
        ),
    ],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(StatementFormatError) as raised:
        parse_statement(data, file_name="x.xml", default_currency="EUR")
    assert raised.value.detail == [{"field": "file", "message": message}]


def test_xxe_and_billion_laughs_are_refused_before_expansion():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&x;</Id>'
        b"</Stmt></BkToCstmrStmt></Document>"
    )
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
        )
        + b"]><lolz>&lol9;</lolz>"
    )
    for data in (xxe, laughs):
        with pytest.raises(StatementFormatError) as raised:
            parse_statement(data, file_name="x.xml", default_currency="EUR")
        assert raised.value.detail[0]["message"].startswith("The XML declares a DTD or entities")
