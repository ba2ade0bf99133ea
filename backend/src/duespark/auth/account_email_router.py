from __future__ import annotations

from fastapi import APIRouter, status

from duespark.auth import account_email
from duespark.auth.account_email_schemas import (
    Accepted,
    EmailVerified,
    PasswordResetIn,
    PasswordResetRequestIn,
    TokenIn,
)
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, HasherDep, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import User

router = APIRouter(prefix="/api/auth", tags=["auth"])

RESET_ACCEPTED = "If an account uses this address, an email with a reset link is on its way."


@router.post(
    "/verify-email/request",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=error_responses(Unauthorized, Conflict),
)
def request_verification(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> Accepted:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User")
    account_email.request_verification(session, user=user, settings=settings, clock=clock)
    return Accepted(detail=f"A confirmation link is on its way to {user.email}.")


@router.post("/verify-email", response_model=EmailVerified, responses=error_responses(InvalidInput))
def verify_email(data: TokenIn, session: SessionDep, clock: ClockDep) -> EmailVerified:
    user = account_email.verify_email(session, token=data.token, clock=clock)
    return EmailVerified(email=user.email, email_verified=True)


@router.post("/password-reset/request", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def request_password_reset(
    data: PasswordResetRequestIn, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Accepted:
    account_email.request_password_reset(session, email=data.email, settings=settings, clock=clock)
    return Accepted(detail=RESET_ACCEPTED)


@router.post("/password-reset", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(InvalidInput))
def reset_password(data: PasswordResetIn, session: SessionDep, clock: ClockDep, hasher: HasherDep) -> None:
    account_email.reset_password(session, token=data.token, new_password=data.new_password, hasher=hasher, clock=clock)
