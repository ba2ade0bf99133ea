from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from duespark.auth import account_email, service, sessions, two_factor, two_factor_router
from duespark.auth.schemas import (
    AccountOut,
    AccountUpdate,
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenList,
    ApiTokenOut,
    LoginIn,
    MeOut,
    MeUpdate,
    RefreshIn,
    RegisterIn,
    SessionList,
    SessionOut,
    SignedOut,
    TokenPair,
)
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, HasherDep, SettingsDep
from duespark.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthorized,
    error_responses,
)
from duespark.models import Account, User
from duespark.ops.ratelimit import register_per_email, register_per_ip, sign_in_per_email, sign_in_per_ip
from duespark.settings import Settings
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["auth"])

REFRESH_COOKIE = "duespark_refresh"


def set_refresh_cookie(response: Response, pair: TokenPair, settings: Settings) -> None:
    # The web app keeps the refresh token in an HttpOnly cookie where scripts cannot read it;
    # API clients use the copy in the body.
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=settings.refresh_token_days * 86400,
        httponly=True,
        secure=settings.cookie_secure and settings.public_url.startswith("https://"),
        samesite="strict",
        path="/api/auth",
    )


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenPair,
    responses=error_responses(Conflict, InvalidInput, TooManyRequests),
    dependencies=[Depends(register_per_ip), Depends(register_per_email)],
)
def register(
    data: RegisterIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    hasher: HasherDep,
) -> TokenPair:
    user, account = service.register(session, data=data, hasher=hasher, clock=clock)
    account_email.request_verification(session, user=user, settings=settings, clock=clock)
    pair = service.issue_tokens(
        session, user_id=user.id, account_id=account.id, settings=settings, clock=clock, device=device_of(request)
    )
    set_refresh_cookie(response, pair, settings)
    return pair


@router.post(
    "/auth/login",
    response_model=TokenPair,
    responses=error_responses(Unauthorized, InvalidInput, TooManyRequests),
    dependencies=[Depends(sign_in_per_ip), Depends(sign_in_per_email)],
)
def login(
    data: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    hasher: HasherDep,
) -> TokenPair:
    """A user with two-factor sign-in answers 401 `TwoFactorRequired` to the password alone; send it
    again with `code`. A wrong password and a wrong code answer alike, in the same time."""
    remembered = request.cookies.get(two_factor_router.DEVICE_COOKIE)
    user = service.sign_in(
        session,
        email=data.email,
        password=data.password,
        code=data.code,
        remembered=remembered,
        hasher=hasher,
        settings=settings,
        clock=clock,
    )
    if data.remember_device and data.code and user.totp_enabled_at is not None:
        two_factor_router.set_device_cookie(response, user, settings, clock)
    membership = service.primary_membership(session, user.id)
    device = device_of(request)
    if sessions.is_new_device(session, user_id=user.id, user_agent=device.user_agent):
        two_factor.notify(
            session, user=user, change="new_device", settings=settings, clock=clock, device=device.user_agent
        )
    pair = service.issue_tokens(
        session, user_id=user.id, account_id=membership.account_id, settings=settings, clock=clock, device=device
    )
    set_refresh_cookie(response, pair, settings)
    return pair


def device_of(request: Request) -> sessions.Device:
    return sessions.Device.of(request.headers.get("user-agent"), request.client.host if request.client else None)


def _refresh_token_from(request: Request, data: RefreshIn | None) -> str:
    token = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise Unauthorized("No refresh token given")
    return token


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    responses={
        **error_responses(Unauthorized),
        204: {"description": "`optional=true` and no refresh token at all: nobody is signed in"},
    },
)
def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: RefreshIn | None = None,
    optional: Annotated[
        bool,
        Query(description="Answer 204 instead of 401 when no refresh token was sent (a page load while signed out)"),
    ] = False,
) -> TokenPair | Response:
    if optional and not ((data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)):
        # The web app asks on every page load; a visitor who is simply signed out is not an error.
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    token = _refresh_token_from(request, data)
    pair = service.rotate_refresh_token(session, token=token, settings=settings, clock=clock)
    set_refresh_cookie(response, pair, settings)
    return pair


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, response: Response, session: SessionDep, clock: ClockDep, data: RefreshIn | None = None
) -> Response:
    token = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)
    if token:
        service.logout(session, token=token, clock=clock)
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return response


def _me(session: SessionDep, principal: CurrentPrincipal, settings: Settings) -> MeOut:
    user = session.get(User, principal.user_id)
    account = session.get(Account, principal.account_id)
    if user is None or account is None:
        raise NotFound("User")
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        email_verified=user.email_verified_at is not None,
        role=principal.role,
        account=AccountOut.model_validate(account),
        public_url=settings.public_url.rstrip("/"),
    )


@router.get("/me", response_model=MeOut, responses=error_responses(Unauthorized))
def get_me(session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> MeOut:
    return _me(session, principal, settings)


@router.patch("/me", response_model=MeOut, responses=error_responses(Unauthorized, InvalidInput))
def patch_me(
    data: MeUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
    hasher: HasherDep,
) -> MeOut:
    """A new password signs out every session and API token; the web session that changed it gets a new
    refresh cookie, so it carries on after one refresh."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User")
    device = device_of(request)
    service.update_me(session, user=user, data=data, hasher=hasher, clock=clock)
    if data.new_password is not None and principal.via == "session":
        pair = service.issue_tokens(
            session, user_id=user.id, account_id=principal.account_id, settings=settings, clock=clock, device=device
        )
        set_refresh_cookie(response, pair, settings)
    return _me(session, principal, settings)


@router.get("/account", response_model=AccountOut, responses=error_responses(Unauthorized))
def get_account(session: SessionDep, principal: CurrentPrincipal) -> Account:
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    return account


@router.patch(
    "/account", response_model=AccountOut, responses=error_responses(Unauthorized, InvalidInput, PermissionDenied)
)
def patch_account(data: AccountUpdate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Account:
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    if data.require_two_factor is not None:
        two_factor_router.check_may_require(session, principal, data.require_two_factor)
    return service.update_account(session, account=account, data=data, clock=clock)


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiTokenCreated,
    responses=error_responses(Unauthorized, InvalidInput),
)
def create_token(
    data: ApiTokenIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ApiTokenCreated:
    token, raw = service.create_api_token(
        session, principal=principal, name=data.name, clock=clock, read_only=data.read_only
    )
    return ApiTokenCreated(**ApiTokenOut.model_validate(token).model_dump(), token=raw)


@router.get("/tokens", response_model=ApiTokenList, responses=error_responses(Unauthorized))
def list_tokens(session: SessionDep, principal: CurrentPrincipal) -> ApiTokenList:
    tokens = service.list_api_tokens(session, principal=principal)
    return ApiTokenList(items=[ApiTokenOut.model_validate(t) for t in tokens])


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Unauthorized, NotFound)
)
def delete_token(token_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Response:
    service.revoke_api_token(session, principal=principal, token_id=token_id, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


FamilyId = Annotated[str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")]


@router.get("/auth/sessions", response_model=SessionList, responses=error_responses(Unauthorized))
def list_sessions(request: Request, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> SessionList:
    """Where you are signed in: one entry per sign-in, the newest use first; `current` is this browser."""
    current = sessions.family_of(session, request.cookies.get(REFRESH_COOKIE))
    items = sessions.list_signed_in(session, user_id=principal.user_id, current_family=current, clock=clock)
    return SessionList(items=[SessionOut.model_validate(item, from_attributes=True) for item in items])


@router.delete(
    "/auth/sessions/{family_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Unauthorized, NotFound),
)
def sign_out_session(
    family_id: FamilyId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> Response:
    """Sign one device out: its refresh token stops working (its access token, at most
    `access_token_minutes` old, runs out by itself)."""
    sessions.sign_out(session, user_id=principal.user_id, family_id=family_id, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/sessions/sign-out-others", response_model=SignedOut, responses=error_responses(Unauthorized))
def sign_out_other_sessions(
    request: Request, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> SignedOut:
    """Sign out every device but this browser."""
    keep = sessions.family_of(session, request.cookies.get(REFRESH_COOKIE))
    count = sessions.sign_out_others(session, user_id=principal.user_id, keep_family=keep, clock=clock)
    return SignedOut(signed_out=count)
