"""Bank statements: upload (CAMT.053 or CSV), the entries with the invoice each is likely for, confirm, reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status

from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.documents.checks import megabytes
from duespark.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    error_responses,
)
from duespark.reconciliation import confirm, service
from duespark.reconciliation.schemas import (
    BulkConfirmIn,
    BulkConfirmOut,
    BulkResult,
    ConfirmIn,
    EntryOut,
    ImportOut,
    StatementDetail,
    StatementList,
)
from duespark.tenancy import ObjectId

PREFIX = "/api/reconciliation"
STATEMENTS_PATH = PREFIX + "/statements"
IMPORTED_BEFORE = "This file was imported before: nothing was added"
router = APIRouter(prefix=PREFIX, tags=["reconciliation"], responses=error_responses(Unauthorized))


def too_large_hint(limit: int) -> str:
    return f"a bank statement may be at most {megabytes(limit)} (DUESPARK_STATEMENT_MAX_BYTES)"


@router.post(
    "/statements",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportOut,
    responses={
        **error_responses(InvalidInput, PayloadTooLarge),
        200: {"model": ImportOut, "description": IMPORTED_BEFORE},
    },
    summary="Import a bank statement: CAMT.053 XML or a bank's CSV export (at most 10 MB by default)",
)
def upload_statement(
    file: Annotated[UploadFile, File(description="CAMT.053 (.xml) or CSV export")],
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
) -> ImportOut:
    limit = settings.statement_max_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is too large: {too_large_hint(limit)}")
    imported = service.import_statement(
        session,
        account_id=principal.account_id,
        user_id=principal.user_id,
        data=data,
        file_name=file.filename or "statement",
        clock=clock,
    )
    if imported.duplicate:
        response.status_code = status.HTTP_200_OK
    return ImportOut(statement=service.one_statement_out(session, imported.statement), duplicate=imported.duplicate)


@router.get("/statements", response_model=StatementList)
def list_statements(session: SessionDep, principal: CurrentPrincipal) -> StatementList:
    return StatementList(items=service.list_statements(session, account_id=principal.account_id))


@router.get("/statements/{statement_id}", response_model=StatementDetail, responses=error_responses(NotFound))
def get_statement(statement_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> StatementDetail:
    return service.statement_detail(session, account_id=principal.account_id, statement_id=statement_id)


def _entry_out(session: SessionDep, account_id: int, entry_id: int) -> EntryOut:
    return service.entries_out(session, account_id=account_id, entry_ids=[entry_id])[entry_id]


@router.post(
    "/entries/{entry_id}/confirm",
    response_model=EntryOut,
    responses=error_responses(NotFound, InvalidInput, Conflict),
    summary="Record the entry as a payment of its proposed invoice, or of `invoice_id`",
)
def confirm_entry(
    entry_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep, data: ConfirmIn | None = None
) -> EntryOut:
    choice = confirm.Choice(entry_id=entry_id, invoice_id=data.invoice_id if data else None)
    confirm.confirm_entries(
        session, account_id=principal.account_id, choices=[choice], user_id=principal.user_id, clock=clock, atomic=True
    )
    return _entry_out(session, principal.account_id, entry_id)


@router.post(
    "/entries/{entry_id}/reject",
    response_model=EntryOut,
    responses=error_responses(NotFound, Conflict),
    summary="Set the entry aside: not a payment of any invoice",
)
def reject_entry(entry_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> EntryOut:
    confirm.reject_entry(
        session, account_id=principal.account_id, entry_id=entry_id, user_id=principal.user_id, clock=clock
    )
    return _entry_out(session, principal.account_id, entry_id)


def _words(error: DomainError) -> str:
    if isinstance(error.detail, str):
        return error.detail
    return "; ".join(f"{e['field']}: {e['message']}" for e in error.detail)


@router.post(
    "/confirm",
    response_model=BulkConfirmOut,
    responses=error_responses(InvalidInput),
    summary="Confirm several entries at once; each one that cannot be confirmed says why",
)
def confirm_many(
    data: BulkConfirmIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> BulkConfirmOut:
    choices = [confirm.Choice(entry_id=item.entry_id, invoice_id=item.invoice_id) for item in data.items]
    errors = confirm.confirm_entries(
        session, account_id=principal.account_id, choices=choices, user_id=principal.user_id, clock=clock, atomic=False
    )
    done = service.entries_out(
        session, account_id=principal.account_id, entry_ids=[i for i, e in errors.items() if e is None]
    )
    results = [
        BulkResult(entry_id=entry_id, ok=True, entry=done[entry_id])
        if error is None
        else BulkResult(entry_id=entry_id, ok=False, error=_words(error))
        for entry_id, error in errors.items()
    ]
    ok = sum(1 for r in results if r.ok)
    return BulkConfirmOut(confirmed=ok, failed=len(results) - ok, results=results)
