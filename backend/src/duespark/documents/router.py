"""Invoice PDFs (upload, bulk upload, list, download, delete), the account's logo, and the public
signed link a client opens from an email, the pay page or the portal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile, status
from fastapi.responses import Response

from duespark.db import SessionDep, transaction
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.documents import links, service
from duespark.documents.schemas import (
    BulkUploadReport,
    DocumentLimits,
    DocumentList,
    DocumentOut,
    MatchedFile,
    PdfLink,
    UnmatchedFile,
)
from duespark.documents.storage import Storage, storage_from_settings
from duespark.errors import InvalidInput, NotFound, PayloadTooLarge, Unauthorized, error_responses
from duespark.models import Account, Client, Invoice
from duespark.models.enums import InvoiceStatus
from duespark.ops.ratelimit import public_link_per_ip
from duespark.settings import Settings
from duespark.tenancy import ObjectId, get_owned

PREFIX = "/api/documents"
BULK_PATH = PREFIX + "/bulk"
router = APIRouter(prefix=PREFIX, tags=["documents"], responses=error_responses(Unauthorized))
# Opened from emails and public pages without signing in: rate-limited per IP like the pay link.
public_router = APIRouter(include_in_schema=False, dependencies=[Depends(public_link_per_ip)])

# The token is in the URL: never sent on as a Referer, never cached by a shared cache.
PRIVATE_FILE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def get_storage(request: Request) -> Storage:
    storage = getattr(request.app.state, "storage", None)
    if storage is None:
        storage = request.app.state.storage = storage_from_settings(request.app.state.settings)
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]


def _read(upload: UploadFile, settings: Settings) -> bytes:
    """At most one byte over the limit is read, so a 200 MB file is refused without holding it."""
    return upload.file.read(settings.document_max_file_bytes + 1)


def _pdf_response(data: bytes, file_name: str, *, inline: bool) -> Response:
    ascii_name = file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    )
    headers = {**PRIVATE_FILE_HEADERS, "Content-Disposition": disposition}
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/limits", response_model=DocumentLimits)
def get_limits(session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> DocumentLimits:
    return DocumentLimits(
        used_bytes=service.account_bytes_used(session, principal.account_id),
        max_account_bytes=settings.document_max_account_bytes,
        max_file_bytes=settings.document_max_file_bytes,
        max_files_per_upload=settings.document_max_files_per_upload,
        max_logo_bytes=settings.logo_max_bytes,
    )


@router.post(
    "/invoices/{invoice_id}",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    responses=error_responses(NotFound, InvalidInput, PayloadTooLarge),
    summary="Upload an invoice's PDF (checked by content; at most 10 MB by default)",
)
def upload_document(
    invoice_id: ObjectId,
    file: Annotated[UploadFile, File(description="The invoice as a PDF")],
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
    storage: StorageDep,
) -> DocumentOut:
    document = service.upload(
        session,
        storage,
        account_id=principal.account_id,
        invoice_id=invoice_id,
        data=_read(file, settings),
        file_name=file.filename,
        settings=settings,
        clock=clock,
    )
    return DocumentOut.model_validate(document)


@router.post(
    "/bulk",
    response_model=BulkUploadReport,
    responses=error_responses(InvalidInput),
    summary="Upload several PDFs; each goes to the invoice whose number is in its file name",
)
def upload_documents(
    files: Annotated[list[UploadFile], File(description="PDFs named after their invoice numbers")],
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
    storage: StorageDep,
) -> BulkUploadReport:
    if len(files) > settings.document_max_files_per_upload:
        raise InvalidInput("files", f"At most {settings.document_max_files_per_upload} files per upload")

    def read_each() -> Iterator[tuple[str, bytes]]:  # one file in memory at a time
        for upload in files:
            yield upload.filename or "", _read(upload, settings)

    result = service.upload_many(
        session, storage, account_id=principal.account_id, files=read_each(), settings=settings, clock=clock
    )
    return BulkUploadReport(
        matched=[
            MatchedFile(
                file_name=name,
                invoice_id=invoice.id,
                invoice_number=invoice.number,
                document=DocumentOut.model_validate(document),
            )
            for name, invoice, document in result.matched
        ],
        unmatched=[UnmatchedFile(file_name=name, reason=reason) for name, reason in result.unmatched],
    )


@router.get("/invoices/{invoice_id}", response_model=DocumentList, responses=error_responses(NotFound))
def list_documents(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> DocumentList:
    documents = service.list_for_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    return DocumentList(items=[DocumentOut.model_validate(d) for d in documents])


@router.get(
    "/invoices/{invoice_id}/pdf",
    response_class=Response,
    responses={**error_responses(NotFound), 200: {"content": {"application/pdf": {}}}},
    summary="The PDF a client receives: the newest upload, else one generated from the invoice",
)
def invoice_pdf(
    invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep, storage: StorageDep
) -> Response:
    invoice = get_owned(session, Invoice, invoice_id, principal.account_id, what="Invoice")
    account = session.get_one(Account, principal.account_id)
    client = session.get_one(Client, invoice.client_id)
    pdf = service.invoice_pdf(session, storage, account=account, client=client, invoice=invoice, clock=clock)
    return _pdf_response(pdf.data, pdf.file_name, inline=True)


@router.post("/invoices/{invoice_id}/link", response_model=PdfLink, responses=error_responses(NotFound))
def create_link(
    invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> PdfLink:
    """A link to send by hand: it opens the invoice's PDF without signing in until it expires."""
    get_owned(session, Invoice, invoice_id, principal.account_id, what="Invoice")
    now = clock.now()
    return PdfLink(
        url=links.pdf_url(settings, invoice_id, now=now), expires_at=now + timedelta(days=settings.document_link_days)
    )


# -- the account's logo ---------------------------------------------------------------------------


@router.put(
    "/logo",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(InvalidInput, PayloadTooLarge),
    summary="Upload the account's logo for generated PDFs: PNG or JPEG, at most 1 MB by default",
)
def put_logo(
    file: Annotated[UploadFile, File(description="A PNG or JPEG image")],
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    storage: StorageDep,
) -> Response:
    account = session.get_one(Account, principal.account_id)
    data = file.file.read(settings.logo_max_bytes + 1)
    service.set_logo(session, storage, account=account, data=data, settings=settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/logo", response_class=Response, responses=error_responses(NotFound))
def get_logo(session: SessionDep, principal: CurrentPrincipal, storage: StorageDep) -> Response:
    account = session.get_one(Account, principal.account_id)
    data = service.logo_of(storage, account)
    if data is None:
        raise NotFound("Logo")
    media_type = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, media_type=media_type, headers=PRIVATE_FILE_HEADERS)


@router.delete("/logo", status_code=status.HTTP_204_NO_CONTENT)
def delete_logo(session: SessionDep, principal: CurrentPrincipal, storage: StorageDep) -> Response:
    account = session.get_one(Account, principal.account_id)
    service.remove_logo(session, storage, account=account)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{document_id}/content",
    response_class=Response,
    responses={**error_responses(NotFound), 200: {"content": {"application/pdf": {}}}},
)
def download_document(
    document_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, storage: StorageDep
) -> Response:
    document, data = service.read(session, storage, account_id=principal.account_id, document_id=document_id)
    return _pdf_response(data, document.file_name, inline=False)


@router.delete("/{document_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_document(
    document_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, storage: StorageDep
) -> Response:
    service.delete(session, storage, account_id=principal.account_id, document_id=document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- public: the signed link ----------------------------------------------------------------------


@public_router.get(links.PATH + "{token}")
def public_pdf(token: str, request: Request, storage: StorageDep) -> Response:
    """The invoice's PDF for whoever holds an unexpired link; a void invoice's link opens nothing."""
    settings: Settings = request.app.state.settings
    clock = request.app.state.clock
    invoice_id = links.invoice_of_token(settings, token, now=clock.now())
    with transaction(request.app.state.session_factory, write=False) as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or invoice.status == InvoiceStatus.void:
            raise NotFound("Invoice")
        account = session.get_one(Account, invoice.account_id)
        client = session.get_one(Client, invoice.client_id)
        pdf = service.invoice_pdf(session, storage, account=account, client=client, invoice=invoice, clock=clock)
    return _pdf_response(pdf.data, pdf.file_name, inline=True)
