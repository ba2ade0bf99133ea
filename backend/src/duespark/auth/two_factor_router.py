"""Settings -> Security: two-factor sign-in for the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duespark.auth import security, two_factor
from duespark.auth.schemas import RecoveryCodes, TwoFactorCode, TwoFactorDisable, TwoFactorEnrolment, TwoFactorStatus
from duespark.auth.service import Principal
from duespark.clock import Clock
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, HasherDep, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthorized, error_responses
from duespark.models import Account, RecoveryCode, User
from duespark.models.enums import Role
from duespark.settings import Settings

router = APIRouter(prefix="/api/auth/2fa", tags=["auth"], responses=error_responses(Unauthorized))

DEVICE_COOKIE = "duespark_device"


def set_device_cookie(response: Response, user: User, settings: Settings, clock: Clock) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        two_factor.remember_device(settings, user=user, now=clock.now()),
        max_age=two_factor.REMEMBER_DAYS * 86400,
        httponly=True,
        secure=settings.cookie_secure and settings.public_url.startswith("https://"),
        samesite="strict",
        path="/api/auth",
    )


def check_may_require(session: Session, principal: Principal, required: bool) -> None:
    """Only an owner requires two-factor of every member, and only with it on for themselves (an owner
    without it would be shut out of everything but enrolment)."""
    if principal.role != Role.owner:
        raise PermissionDenied("Only an owner can require two-factor sign-in")
    enabled = session.scalar(select(User.totp_enabled_at).where(User.id == principal.user_id))
    if required and enabled is None:
        raise InvalidInput("require_two_factor", "Turn two-factor sign-in on for yourself first")


def _user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User")
    return user


@router.get("", response_model=TwoFactorStatus)
def get_status(session: SessionDep, principal: CurrentPrincipal) -> TwoFactorStatus:
    user = _user(session, principal)
    left = session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    required = session.scalar(select(Account.require_two_factor).where(Account.id == principal.account_id))
    return TwoFactorStatus(
        enabled=user.totp_enabled_at is not None, recovery_codes_left=left or 0, required_by_account=bool(required)
    )


@router.post("/enrol", response_model=TwoFactorEnrolment, responses=error_responses(Conflict))
def enrol(session: SessionDep, principal: CurrentPrincipal) -> TwoFactorEnrolment:
    """A new secret and its QR code; nothing changes at sign-in until a code confirms it."""
    enrolment = two_factor.start_enrolment(session, user=_user(session, principal))
    return TwoFactorEnrolment(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg)


@router.post("/confirm", response_model=RecoveryCodes, responses=error_responses(Conflict, InvalidInput))
def confirm(
    data: TwoFactorCode, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> RecoveryCodes:
    user = _user(session, principal)
    codes = two_factor.confirm_enrolment(session, user=user, code=data.code, settings=settings, clock=clock)
    two_factor.notify(session, user=user, change="enabled", settings=settings, clock=clock)
    return RecoveryCodes(recovery_codes=codes)


@router.post("/recovery-codes", response_model=RecoveryCodes, responses=error_responses(Conflict, InvalidInput))
def new_recovery_codes(
    data: TwoFactorCode, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> RecoveryCodes:
    """Ten new codes; the old ones stop working."""
    user = _user(session, principal)
    codes = two_factor.regenerate_recovery_codes(session, user=user, code=data.code, settings=settings, clock=clock)
    return RecoveryCodes(recovery_codes=codes)


@router.post("/disable", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Conflict, InvalidInput))
def disable(
    data: TwoFactorDisable,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
    hasher: HasherDep,
) -> Response:
    """Needs the password and a code: a stolen session alone cannot take the second factor away."""
    user = _user(session, principal)
    if not security.verify_password(hasher, user.password_hash, data.password):
        raise InvalidInput("password", "The password is wrong")
    required = session.scalar(select(Account.require_two_factor).where(Account.id == principal.account_id))
    if required:
        raise Conflict("This account requires two-factor sign-in for every member")
    two_factor.disable(session, user=user, code=data.code, settings=settings, clock=clock)
    two_factor.notify(session, user=user, change="disabled", settings=settings, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
