"""Invoice documents through the API on SQLite and PostgreSQL: upload, list, download, delete, bulk,
logo, limits, and what another account or a hostile file gets."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from duespark.documents.storage import account_prefix
from tests.conftest import make_test_settings
from tests.documents.support import (
    HTML_AS_PDF,
    TRUNCATED_PDF,
    compressed_bomb_pdf,
    sample_gif,
    sample_pdf,
    sample_png,
)
from tests.helpers import register

TODAY = date(2026, 11, 25)


@pytest.fixture
def user(client):
    return register(client, default_currency="EUR")


@pytest.fixture
def other(client):
    return register(client, default_currency="EUR")


def make_invoice(client, user, number: str = "INV-1", **fields) -> dict:
    client_id = client.post(
        "/api/clients", headers=user["headers"], json={"name": "Globex", "email": "ap@globex.com"}
    ).json()["id"]
    payload = {
        "client_id": client_id,
        "number": number,
        "amount": "1250.00",
        "issue_date": str(TODAY),
        "due_date": str(TODAY + timedelta(days=14)),
        **fields,
    }
    response = client.post("/api/invoices", headers=user["headers"], json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def upload(client, user, invoice_id: int, data: bytes, name: str = "invoice.pdf", content_type="application/pdf"):
    return client.post(
        f"/api/documents/invoices/{invoice_id}",
        headers=user["headers"],
        files={"file": (name, data, content_type)},
    )


def stored_files(settings) -> list[Path]:
    root = settings.data_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_list_download_delete(client, user, settings):
    invoice = make_invoice(client, user)
    pdf = sample_pdf("Invoice INV-1")
    response = upload(client, user, invoice["id"], pdf, name="INV-1 final.pdf")
    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["file_name"], document["size_bytes"], document["source"]) == (
        "INV-1 final.pdf",
        len(pdf),
        "upload",
    )
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()

    listed = client.get(f"/api/documents/invoices/{invoice['id']}", headers=user["headers"]).json()["items"]
    assert [d["id"] for d in listed] == [document["id"]]

    download = client.get(f"/api/documents/{document['id']}/content", headers=user["headers"])
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="INV-1 final.pdf"')
    assert "no-store" in download.headers["cache-control"]

    # Stored under the account's prefix, with a key that is not the file name.
    [path] = stored_files(settings)
    account_id = client.get("/api/account", headers=user["headers"]).json()["id"]
    relative = path.relative_to(settings.data_dir / "documents").as_posix()
    assert relative.startswith(account_prefix(account_id) + "invoices/")
    assert "final" not in relative
    assert path.read_bytes() == pdf

    assert client.delete(f"/api/documents/{document['id']}", headers=user["headers"]).status_code == 204
    assert client.get(f"/api/documents/{document['id']}/content", headers=user["headers"]).status_code == 404
    assert stored_files(settings) == []  # removed once the request committed


def test_the_pdf_a_client_gets_is_the_upload_else_a_generated_one(client, user):
    invoice = make_invoice(client, user, description="Consulting, November")
    generated = client.get(f"/api/documents/invoices/{invoice['id']}/pdf", headers=user["headers"])
    assert generated.status_code == 200
    assert generated.content.startswith(b"%PDF-")
    assert generated.headers["content-disposition"].startswith('inline; filename="INV-1.pdf"')
    pdf = sample_pdf("The user's own PDF")
    upload(client, user, invoice["id"], pdf)
    assert client.get(f"/api/documents/invoices/{invoice['id']}/pdf", headers=user["headers"]).content == pdf


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (HTML_AS_PDF, "does not start with the %PDF- signature"),
        (TRUNCATED_PDF, "not a readable PDF"),
        (b"", "does not start with the %PDF- signature"),
    ],
    ids=["html", "truncated", "empty"],
)
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(client, user, settings, data, message):
    invoice = make_invoice(client, user)
    response = upload(client, user, invoice["id"], data, name="invoice.pdf")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "file"
    assert message in error["message"]
    assert stored_files(settings) == []


def test_a_compressed_bomb_is_checked_without_inflating_it(client, user):
    invoice = make_invoice(client, user)
    bomb = compressed_bomb_pdf()  # 200 MB of zeros in ~200 KB
    response = upload(client, user, invoice["id"], bomb, name="bomb.pdf")
    # Accepted as the one-page PDF it is; its stream is never inflated (the request stays fast and small).
    assert response.status_code == 201
    assert response.json()["size_bytes"] == len(bomb)


def test_a_file_over_the_limit_is_413_with_the_limit_stated(client, user, settings):
    invoice = make_invoice(client, user)
    big = sample_pdf(pad_to=settings.document_max_file_bytes - 200_000)
    assert len(big) < settings.document_max_file_bytes
    assert upload(client, user, invoice["id"], big).status_code == 201
    too_big = b"%PDF-1.7\n" + b"0" * settings.document_max_file_bytes
    response = upload(client, user, invoice["id"], too_big)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert "10 MB" in response.json()["detail"]
    # 200 MB is refused by the body limit before it is read, with the same limit named.
    huge = client.post(
        f"/api/documents/invoices/{invoice['id']}",
        headers={
            **user["headers"],
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(200 * 1024 * 1024),
        },
        content=b"--x--",
    )
    assert huge.status_code == 413
    assert "a PDF may be at most 10 MB (DUESPARK_DOCUMENT_MAX_FILE_BYTES)" in huge.json()["detail"]


def test_the_account_allowance_is_413_with_the_allowance_stated(tmp_path, database_url, clock, session_factory):
    from fastapi.testclient import TestClient

    from duespark.app import create_app

    settings = make_test_settings(tmp_path, database_url, document_max_account_bytes=5000)
    app = create_app(settings, clock)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        user = register(client)
        invoice = make_invoice(client, user)
        first = sample_pdf("one")
        assert upload(client, user, invoice["id"], first).status_code == 201
        assert upload(client, user, invoice["id"], first).status_code == 201
        for _ in range(10):
            response = upload(client, user, invoice["id"], first)
            if response.status_code != 201:
                break
        assert response.status_code == 413
        assert "over its allowance of 4.883 KB" in response.json()["detail"]
        assert "DUESPARK_DOCUMENT_MAX_ACCOUNT_BYTES" in response.json()["detail"]
        used = client.get("/api/documents/limits", headers=user["headers"]).json()
        assert used["used_bytes"] <= 5000 and used["max_account_bytes"] == 5000


@pytest.mark.parametrize(
    ("name", "stored_as"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/x.pdf", "x.pdf"),
        ("..", "INV-1.pdf"),
        # The client percent-encodes quotes and line breaks in a multipart file name; they arrive as text.
        ('a"b\r\nX-Evil: 1.pdf', "a_22b_0D_0AX-Evil_ 1.pdf"),
        ("rechnung_ü.PDF", "rechnung_ü.pdf"),
    ],
)
def test_file_names_never_reach_storage_or_headers(client, user, settings, name, stored_as):
    invoice = make_invoice(client, user)
    response = upload(client, user, invoice["id"], sample_pdf(), name=name)
    assert response.status_code == 201, response.text
    assert response.json()["file_name"] == stored_as
    [path] = stored_files(settings)
    assert path.is_relative_to((settings.data_dir / "documents").resolve())
    download = client.get(f"/api/documents/{response.json()['id']}/content", headers=user["headers"])
    assert "\r" not in download.headers["content-disposition"] and "\n" not in download.headers["content-disposition"]


def test_another_accounts_invoice_and_documents_are_404(client, user, other, settings):
    invoice = make_invoice(client, user)
    document = upload(client, user, invoice["id"], sample_pdf("secret")).json()
    theirs = other["headers"]
    assert upload(client, other, invoice["id"], sample_pdf()).status_code == 404
    assert client.get(f"/api/documents/invoices/{invoice['id']}", headers=theirs).status_code == 404
    assert client.get(f"/api/documents/invoices/{invoice['id']}/pdf", headers=theirs).status_code == 404
    assert client.post(f"/api/documents/invoices/{invoice['id']}/link", headers=theirs).status_code == 404
    content = client.get(f"/api/documents/{document['id']}/content", headers=theirs)
    assert content.status_code == 404 and b"secret" not in content.content
    assert client.delete(f"/api/documents/{document['id']}", headers=theirs).status_code == 404
    assert len(stored_files(settings)) == 1
    assert client.get("/api/documents/invoices/99999999/pdf", headers=user["headers"]).status_code == 404
    assert client.get(f"/api/documents/{2**63}/content", headers=user["headers"]).status_code == 422


def test_bulk_upload_matches_file_names_to_invoice_numbers(client, user):
    first = make_invoice(client, user, number="RE-2026-001")
    second = make_invoice(client, user, number="RE-2026-0012")
    make_invoice(client, user, number="INV 7")
    files = [
        ("files", ("RE-2026-001.pdf", sample_pdf("one"), "application/pdf")),
        ("files", ("Rechnung_RE-2026-0012_final.pdf", sample_pdf("two"), "application/pdf")),
        ("files", ("inv 7.pdf", sample_pdf("seven"), "application/pdf")),
        ("files", ("RE-2026-999.pdf", sample_pdf("unknown"), "application/pdf")),
        ("files", ("RE-2026-001 copy.pdf", HTML_AS_PDF, "application/pdf")),
        ("files", ("holiday.pdf", sample_pdf(), "application/pdf")),
    ]
    response = client.post("/api/documents/bulk", headers=user["headers"], files=files)
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(m["file_name"], m["invoice_number"]) for m in report["matched"]] == [
        ("RE-2026-001.pdf", "RE-2026-001"),
        ("Rechnung_RE-2026-0012_final.pdf", "RE-2026-0012"),
        ("inv 7.pdf", "INV 7"),
    ]
    assert report["matched"][0]["invoice_id"] == first["id"]
    assert report["matched"][1]["invoice_id"] == second["id"]
    unmatched = {u["file_name"]: u["reason"] for u in report["unmatched"]}
    assert unmatched["RE-2026-999.pdf"] == "No invoice number of this account is in the file name"
    assert "not a PDF" in unmatched["RE-2026-001 copy.pdf"]
    assert "holiday.pdf" in unmatched
    listed = client.get(f"/api/documents/invoices/{first['id']}", headers=user["headers"]).json()["items"]
    assert len(listed) == 1


def test_bulk_upload_never_matches_another_accounts_invoice(client, user, other):
    make_invoice(client, other, number="THEIRS-1")
    files = [("files", ("THEIRS-1.pdf", sample_pdf(), "application/pdf"))]
    report = client.post("/api/documents/bulk", headers=user["headers"], files=files).json()
    assert report["matched"] == [] and [u["file_name"] for u in report["unmatched"]] == ["THEIRS-1.pdf"]


def test_bulk_upload_limits_the_number_of_files(client, user, settings):
    files = [
        ("files", (f"{n}.pdf", b"%PDF", "application/pdf")) for n in range(settings.document_max_files_per_upload + 1)
    ]
    response = client.post("/api/documents/bulk", headers=user["headers"], files=files)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "files"


def test_logo_and_profile(client, user, settings):
    png = sample_png()
    assert (
        client.put(
            "/api/documents/logo", headers=user["headers"], files={"file": ("logo.png", png, "image/png")}
        ).status_code
        == 204
    )
    account = client.patch(
        "/api/account",
        headers=user["headers"],
        json={"address": "Hauptstraße 5\n80331 München", "tax_id": "DE123456789"},
    ).json()
    assert (account["address"], account["tax_id"], account["has_logo"]) == (
        "Hauptstraße 5\n80331 München",
        "DE123456789",
        True,
    )
    assert "logo_key" not in account
    logo = client.get("/api/documents/logo", headers=user["headers"])
    assert (logo.status_code, logo.content, logo.headers["content-type"]) == (200, png, "image/png")

    replaced = sample_png(color=(200, 0, 0))
    client.put("/api/documents/logo", headers=user["headers"], files={"file": ("new.png", replaced, "image/png")})
    assert [p.read_bytes() for p in stored_files(settings)] == [replaced]  # the old one is gone
    assert client.delete("/api/documents/logo", headers=user["headers"]).status_code == 204
    assert client.get("/api/documents/logo", headers=user["headers"]).status_code == 404
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        (sample_gif(), 422, "GIF image; upload a PNG or JPEG"),
        (HTML_AS_PDF, 422, "not a PNG or JPEG"),
        (sample_pdf(), 422, "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024), 413, "1 MB"),
    ],
    ids=["gif", "html", "pdf", "too-large"],
)
def test_a_logo_is_checked_by_content(client, user, data, status, text):
    response = client.put(
        "/api/documents/logo", headers=user["headers"], files={"file": ("logo.png", data, "image/png")}
    )
    assert response.status_code == status
    assert text in str(response.json()["detail"])


def test_a_script_in_the_file_name_comes_back_as_data(client, user):
    invoice = make_invoice(client, user)
    name = "<script>alert(1)</script>.pdf"
    document = upload(client, user, invoice["id"], sample_pdf(), name=name).json()
    # Never HTML: JSON, and a file name with the markup's characters replaced.
    assert "<" not in document["file_name"] and ">" not in document["file_name"]
