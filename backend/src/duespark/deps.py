"""The Annotated dependencies every router uses, defined once."""

from __future__ import annotations

from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from duespark.audit import service as audit
from duespark.auth.service import Principal, principal_from_bearer
from duespark.clock import Clock
from duespark.db import SessionDep
from duespark.errors import PermissionDenied, Unauthorized
from duespark.ops.ratelimit import enforce_api_limit
from duespark.settings import Settings
from duespark.teams import policy


# Coroutines, though they only read app state: FastAPI runs every plain `def` dependency in a worker
# thread, a hand-off per dependency per request.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


async def get_hasher(request: Request) -> PasswordHasher:
    return request.app.state.password_hasher


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
HasherDep = Annotated[PasswordHasher, Depends(get_hasher)]

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login or a personal API token")


def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    principal = principal_from_bearer(session, bearer=credentials.credentials, settings=settings, clock=clock)
    enforce_api_limit(request, principal.user_id)
    request.state.principal = principal
    path = request.url.path
    if principal.two_factor_missing and path != "/api/me" and not path.startswith("/api/auth/2fa"):
        raise TwoFactorSetupRequired()
    # The one place roles are enforced: the matched route's area in teams/policy.py.
    route = request.scope.get("route")
    policy.check(
        role=principal.role,
        read_only=principal.read_only,
        method=request.method,
        route=getattr(route, "path_format", path),
    )
    audit.act_as(
        session,
        audit.UserRef(principal.user_id, principal.token_id),
        ip=request.client.host if request.client else None,
    )
    return principal


class TwoFactorSetupRequired(PermissionDenied):
    error = "TwoFactorSetupRequired"

    def __init__(self) -> None:
        super().__init__("This account requires two-factor sign-in: turn it on in Settings → Security first")


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
