from __future__ import annotations

from fastapi import APIRouter

from duespark.db import SessionDep, writes
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Unauthorized, error_responses
from duespark.onboarding import service
from duespark.onboarding.schemas import FirstWave, ResumeNotChasedOut

router = APIRouter(prefix="/api", tags=["onboarding"], responses=error_responses(Unauthorized))


@router.get("/account/go-live/preview", response_model=FirstWave)
@writes  # plans and claims inside a savepoint it rolls back: it needs the write lock, and keeps nothing
def go_live_preview(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> FirstWave:
    """What goes out first once the account is live: how many clients, which emails, each rendered."""
    return service.go_live_preview(session, account_id=principal.account_id, settings=settings, clock=clock)


@router.post("/invoices/not-chased/resume", response_model=ResumeNotChasedOut)
def resume_not_chased(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> ResumeNotChasedOut:
    """Start chasing every invoice an import left "not chased" (too old, or every step passed)."""
    resumed = service.start_chasing_not_chased(session, account_id=principal.account_id, clock=clock)
    return ResumeNotChasedOut(resumed=resumed)
