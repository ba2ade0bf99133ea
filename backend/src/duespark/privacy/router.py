from __future__ import annotations

from fastapi import APIRouter, Response

from duespark.audit import service as audit
from duespark.auth.router import REFRESH_COOKIE
from duespark.db import SessionDep, write_beside
from duespark.deps import ClockDep, CurrentPrincipal, HasherDep
from duespark.documents import service as documents
from duespark.documents.router import StorageDep
from duespark.errors import InvalidInput, Unauthorized, error_responses
from duespark.ops.logging import get_logger
from duespark.privacy import service
from duespark.privacy.schemas import DeleteMeIn, ErasureOut

router = APIRouter(prefix="/api/me", tags=["privacy"], responses=error_responses(Unauthorized))
log = get_logger(__name__)


@router.get(
    "/export",
    summary="Download everything your account owns (ZIP of JSON and CSV files)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The export archive"}},
)
def export_me(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep, storage: StorageDep) -> Response:
    archive = service.export_account(
        session,
        account_id=principal.account_id,
        user_id=principal.user_id,
        clock=clock,
        files=documents.stored_files(session, storage, account_id=principal.account_id),
    )
    with write_beside(session) as writer:  # a GET reads a snapshot; the entry is written beside it
        audit.act_as(writer, audit.UserRef(principal.user_id, principal.token_id))
        audit.record(
            writer,
            account_id=principal.account_id,
            action="account.export_requested",
            entity_type="account",
            entity_id=principal.account_id,
            now=clock.now(),
        )
    filename = f"duespark-export-{principal.account_id}-{clock.now():%Y%m%d}.zip"
    log.info("account data exported", account_id=principal.account_id, user_id=principal.user_id)
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post(
    "/delete",
    response_model=ErasureOut,
    summary="Erase your user and every account you alone own; confirm with your password",
    responses=error_responses(InvalidInput),
)
def delete_me(
    data: DeleteMeIn,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    hasher: HasherDep,
    storage: StorageDep,
    clock: ClockDep,
) -> ErasureOut:
    result = service.erase_user(session, user_id=principal.user_id, password=data.password, hasher=hasher, clock=clock)
    documents.delete_account_files(session, storage, result.deleted_accounts)
    log.info(
        "user erased",
        user_id=principal.user_id,
        deleted_accounts=result.deleted_accounts,
        left_accounts=result.left_accounts,
    )
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return result
