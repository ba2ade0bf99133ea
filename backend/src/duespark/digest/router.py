"""The signed-in member's daily digest: preferences, and a preview of today's email."""

from __future__ import annotations

from fastapi import APIRouter

from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.digest import compose, service
from duespark.digest.schemas import DigestPreferences, DigestPreferencesIn, DigestPreview
from duespark.errors import InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import User

router = APIRouter(prefix="/api/me/digest", tags=["digest"], responses=error_responses(Unauthorized))


def _user(session: SessionDep, principal: CurrentPrincipal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User")
    return user


@router.get("", response_model=DigestPreferences)
def get_digest_preferences(session: SessionDep, principal: CurrentPrincipal) -> DigestPreferences:
    return service.get_preferences(session, account_id=principal.account_id, user=_user(session, principal))


@router.put("", response_model=DigestPreferences, responses=error_responses(InvalidInput))
def put_digest_preferences(
    data: DigestPreferencesIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> DigestPreferences:
    return service.put_preferences(
        session, account_id=principal.account_id, user=_user(session, principal), data=data, clock=clock
    )


@router.get("/preview", response_model=DigestPreview)
def preview_digest(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> DigestPreview:
    """Today's digest for the signed-in member (empty: nothing to say, so no email would go)."""
    return compose.preview(
        session, account_id=principal.account_id, user=_user(session, principal), settings=settings, clock=clock
    )
