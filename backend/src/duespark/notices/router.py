"""The user's notices: listed for the app's banner, dismissed one by one."""

from __future__ import annotations

from fastapi import APIRouter

from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal
from duespark.errors import NotFound, Unauthorized, error_responses
from duespark.models import Notice
from duespark.notices import service
from duespark.notices.schemas import NoticeOut
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["notices"], responses=error_responses(Unauthorized))


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(session: SessionDep, principal: CurrentPrincipal) -> list[Notice]:
    """Notices not yet dismissed, newest first."""
    return service.active(session, account_id=principal.account_id)


@router.post("/notices/{notice_id}/dismiss", response_model=NoticeOut, responses=error_responses(NotFound))
def dismiss_notice(notice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Notice:
    return service.dismiss(session, account_id=principal.account_id, notice_id=notice_id, clock=clock)
