"""Uploaded PDFs with active content are refused with a 422 naming the file and what was found:
JavaScript (also behind /OpenAction, also with an escaped name), Launch actions, embedded files, XFA forms,
automatic actions; and files too large or too deep to check within the bounds. Plain PDFs still pass."""

from __future__ import annotations

import io
import itertools
import time

import pytest
from pypdf import PdfReader

from duespark.documents import scan
from tests.documents.support import HTML_AS_PDF, compressed_bomb_pdf, one_page_pdf, raw_pdf, sample_pdf
from tests.documents.test_api import make_invoice, stored_files, upload, user  # noqa: F401  # fixture

JS = b"<< /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>"

HOSTILE = {
    "open_action_js": (one_page_pdf(catalog=b"/OpenAction " + JS), "it contains JavaScript (/JS)"),
    "open_action_js_indirect": (
        one_page_pdf(catalog=b"/OpenAction 4 0 R", extra=[b"<< /S /JavaScript /JS 5 0 R >>", b"(app.alert(1))"]),
        "it contains JavaScript (/JS)",
    ),
    "escaped_name": (
        one_page_pdf(catalog=b"/OpenAction << /S /JavaScript /J#53 (x) >>"),
        "it contains JavaScript (/JS)",
    ),
    "names_javascript": (
        one_page_pdf(catalog=b"/Names << /JavaScript 4 0 R >>", extra=[b"<< /Names [(a) 5 0 R] >>", JS]),
        "it contains JavaScript (/JavaScript)",
    ),
    "launch": (
        one_page_pdf(
            page=b"/Annots [4 0 R]", extra=[b"<< /Type /Annot /Subtype /Link /A << /S /Launch /F (cmd.exe) >> >>"]
        ),
        "it contains a Launch action (opens a program or file) (/S /Launch)",
    ),
    "embedded_file": (
        one_page_pdf(
            catalog=b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 4 0 R] >> >>",
            extra=[
                b"<< /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >>",
                b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            ],
        ),
        "it contains embedded files (/EmbeddedFiles)",
    ),
    "xfa": (
        one_page_pdf(catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>", extra=[b"<< /Length 0 >>\nstream\n\nendstream"]),
        "it contains an XFA form (/XFA)",
    ),
    "page_aa": (
        one_page_pdf(page=b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"),
        "it contains automatic actions (/AA)",
    ),
    "deep_nesting": (
        one_page_pdf(page=b"/Deep " + b"[" * 60 + b"1" + b"]" * 60),
        "it nests objects more than 48 levels deep",
    ),
}


def reason_of(data: bytes) -> str | None:
    try:
        scan.find_active_content(PdfReader(io.BytesIO(data), strict=False))
    except scan.ActiveContent as exc:
        return exc.reason
    return None


@pytest.mark.parametrize("name", HOSTILE)
def test_each_kind_of_active_content_is_found(name):
    data, reason = HOSTILE[name]
    assert reason_of(data) == reason


@pytest.mark.parametrize(
    "data",
    [
        sample_pdf("Invoice INV-1"),
        one_page_pdf(catalog=b"/OpenAction [3 0 R /Fit]"),  # opens on page 1: no action that runs anything
        compressed_bomb_pdf(8 * 1024 * 1024),  # streams are never inflated
    ],
    ids=["fpdf2", "open_action_go_to_page", "compressed_stream"],
)
def test_plain_pdfs_pass(data):
    assert reason_of(data) is None


def test_more_objects_than_checked_is_refused_before_reading_them():
    filler = [b"null"] * (scan.MAX_OBJECTS + 10)
    data = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>", *filler])
    started = time.perf_counter()
    assert reason_of(data) == "it has 50,012 objects, more than the 50,000 that are checked"
    assert time.perf_counter() - started < 3


def test_a_check_that_runs_out_of_time_refuses_the_file():
    ticks = itertools.count(step=1.0)  # every object read "takes" a second
    data, _ = HOSTILE["launch"]  # the Launch action is in object 4, read after the time is up
    with pytest.raises(scan.ActiveContent, match="within 2 seconds"):
        scan.find_active_content(PdfReader(io.BytesIO(data)), clock=lambda: next(ticks))


def test_the_upload_is_422_naming_the_file_and_the_reason(client, user, settings):  # noqa: F811
    invoice = make_invoice(client, user)
    data, _ = HOSTILE["open_action_js"]
    response = upload(client, user, invoice["id"], data, name="../../INV-1 <script>.pdf")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error == {
        "field": "file",
        "message": "INV-1 _script_.pdf is refused: it contains JavaScript (/JS). Invoices need no active content; "
        "save it again as a plain PDF",
    }
    assert stored_files(settings) == []


def test_a_parser_breaking_nesting_is_a_clear_422(client, user, settings):  # noqa: F811
    invoice = make_invoice(client, user)
    data = one_page_pdf(page=b"/Deep " + b"[" * 20_000 + b"]" * 20_000)
    response = upload(client, user, invoice["id"], data, name="deep.pdf")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "file"
    assert error["message"].startswith(("deep.pdf is refused", "The file is not a readable PDF"))
    assert stored_files(settings) == []


def test_bulk_upload_reports_each_refused_file_with_its_reason(client, user):  # noqa: F811
    make_invoice(client, user, number="RE-1")
    make_invoice(client, user, number="RE-2")
    files = [
        ("files", ("RE-1.pdf", sample_pdf("one"), "application/pdf")),
        ("files", ("RE-2.pdf", HOSTILE["embedded_file"][0], "application/pdf")),
        ("files", ("RE-2 again.pdf", HTML_AS_PDF, "application/pdf")),
    ]
    report = client.post("/api/documents/bulk", headers=user["headers"], files=files).json()
    assert [m["file_name"] for m in report["matched"]] == ["RE-1.pdf"]
    unmatched = {u["file_name"]: u["reason"] for u in report["unmatched"]}
    assert unmatched["RE-2.pdf"].startswith("RE-2.pdf is refused: it contains embedded files (/EmbeddedFiles)")
    assert "does not start with the %PDF- signature" in unmatched["RE-2 again.pdf"]
