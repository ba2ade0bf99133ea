"""Accounts, sign-in, token rotation and personal API tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.auth import security, sessions, two_factor
from duespark.auth.addresses import email_key, normalize_email
from duespark.auth.schemas import AccountUpdate, MeUpdate, RegisterIn, TokenPair
from duespark.auth.sessions import Device
from duespark.clock import Clock
from duespark.db import write_beside
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized
from duespark.models import Account, ApiToken, Membership, RefreshToken, User
from duespark.models.enums import Role
from duespark.settings import Settings

# Verifying against this when the email is unknown keeps sign-in timing the same either way.
_DUMMY_PASSWORD = "not-a-real-password-only-for-timing"  # noqa: S105


@dataclass(frozen=True)
class Principal:
    user_id: int
    account_id: int
    role: str
    via: str  # "session" or "api_token"
    # Read with the membership, in the same query: invoice answers derive "overdue" from the account's today.
    timezone: str
    token_id: int | None = None  # the personal API token, when via == "api_token"
    # The account requires two-factor sign-in and this user has not turned it on yet (deps.py).
    two_factor_missing: bool = False
    # A personal API token narrowed to reading (teams/policy.py refuses it every method but GET).
    read_only: bool = False


class TokenReused(Unauthorized):
    keep_changes = True


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == email_key(email))).first()


def register(session: Session, *, data: RegisterIn, hasher: PasswordHasher, clock: Clock) -> tuple[User, Account]:
    if find_user_by_email(session, data.email) is not None:
        raise Conflict([{"field": "email", "message": "An account with this email already exists"}])
    now = clock.now()
    account = Account(
        name=data.company_name or data.name,
        default_currency=data.default_currency or "EUR",
        timezone=data.timezone or "UTC",
        locale="en",
        sender_name=data.company_name or data.name,
        sender_email=data.email,
        test_mode=True,
        created_at=now,
        updated_at=now,
    )
    user = User(
        email=normalize_email(data.email),
        password_hash=security.hash_password(hasher, data.password),
        name=data.name,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add_all([account, user])
    session.flush()
    session.add(Membership(account_id=account.id, user_id=user.id, role=Role.owner, created_at=now, updated_at=now))
    session.flush()
    return user, account


def primary_membership(session: Session, user_id: int) -> Membership:
    membership = session.scalars(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
    ).first()
    if membership is None:
        raise Unauthorized("This user belongs to no account")
    return membership


_DUMMY_HASHES: dict[tuple[int, int, int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of the dummy password with the hasher's own parameters, made once per parameter set."""
    params = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    if params not in _DUMMY_HASHES:
        _DUMMY_HASHES[params] = hasher.hash(_DUMMY_PASSWORD)
    return _DUMMY_HASHES[params]


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    code: str | None,
    remembered: str | None,
    hasher: PasswordHasher,
    settings: Settings,
    clock: Clock,
) -> User:
    """Password, then the second factor when the user has one (unless this device is remembered).
    A wrong password with a code does the code's work too, so both failures take the same time."""
    try:
        user = authenticate_password(session, email=email, password=password, hasher=hasher)
    except Unauthorized:
        if code:
            two_factor.check_code(session, user=None, code=code, settings=settings, clock=clock)
            raise Unauthorized(two_factor.WRONG_CREDENTIALS) from None
        raise
    if user.totp_enabled_at is None or two_factor.is_remembered(settings, user=user, token=remembered, now=clock.now()):
        return user
    if not code:
        raise two_factor.TwoFactorRequired()
    if not two_factor.check_code(session, user=user, code=code, settings=settings, clock=clock):
        raise Unauthorized(two_factor.WRONG_CREDENTIALS)
    return user


def authenticate_password(session: Session, *, email: str, password: str, hasher: PasswordHasher) -> User:
    user = find_user_by_email(session, email)
    if user is None:
        # One Argon2 verification, as for a known address (hashing the dummy here as well made an
        # unknown address take twice as long, which told an attacker the address had no account).
        security.verify_password(hasher, _dummy_hash(hasher), password)
        raise Unauthorized("Wrong email or password")
    if not security.verify_password(hasher, user.password_hash, password) or not user.is_active:
        raise Unauthorized("Wrong email or password")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(hasher, password)
    return user


def issue_tokens(
    session: Session,
    *,
    user_id: int,
    account_id: int,
    settings: Settings,
    clock: Clock,
    family_id: str | None = None,
    device: Device | None = None,
) -> TokenPair:
    now = clock.now()
    ttl = timedelta(minutes=settings.access_token_minutes)
    refresh = security.new_opaque_token()
    session.add(
        RefreshToken(
            user_id=user_id,
            account_id=account_id,
            family_id=family_id or str(uuid.uuid4()),
            token_hash=security.hash_token(refresh),
            issued_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
            user_agent=device.user_agent if device else None,
            ip=sessions.ip_to_keep(session, account_id=account_id, ip=device.ip) if device else None,
        )
    )
    session.flush()
    version = session.scalar(select(User.token_version).where(User.id == user_id)) or 0
    access = security.encode_access_token(
        settings.signing_keys, user_id=user_id, account_id=account_id, now=now, ttl=ttl, version=version
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=int(ttl.total_seconds()))


def _revoke_family(session: Session, family_id: str, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def rotate_refresh_token(session: Session, *, token: str, settings: Settings, clock: Clock) -> TokenPair:
    """Trade a refresh token for a new pair; a second use of the same token revokes the family."""
    now = clock.now()
    stored = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == security.hash_token(token)).with_for_update()
    ).first()
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized("Refresh token is invalid or expired")
    if stored.used_at is not None:
        _revoke_family(session, stored.family_id, now)
        raise TokenReused("Refresh token was already used; every session of this sign-in is signed out")
    # The user must still be active and a member of the account the token names (not removed from it).
    if _active_membership(session, user_id=stored.user_id, account_id=stored.account_id) is None:
        raise Unauthorized("Refresh token is invalid or expired")
    stored.used_at = now
    return issue_tokens(
        session,
        user_id=stored.user_id,
        account_id=stored.account_id,
        settings=settings,
        clock=clock,
        family_id=stored.family_id,
        device=Device(stored.user_agent, stored.ip),
    )


def logout(session: Session, *, token: str, clock: Clock) -> None:
    stored = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == security.hash_token(token))).first()
    if stored is not None:
        _revoke_family(session, stored.family_id, clock.now())


def revoke_all_sessions(session: Session, *, user_id: int, clock: Clock) -> None:
    """Sign the user out everywhere (a password change or reset): every refresh family and personal
    API token is revoked, and every access token issued so far is refused from now on (the user's
    token version goes up; tokens carry the version they were issued under)."""
    now = clock.now()
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(token_version=User.token_version + 1)
        .execution_options(synchronize_session="fetch")
    )


def principal_from_bearer(session: Session, *, bearer: str, settings: Settings, clock: Clock) -> Principal:
    if bearer.startswith(security.API_TOKEN_PREFIX):
        token = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == security.hash_token(bearer), ApiToken.revoked_at.is_(None))
        ).first()
        if token is None:
            raise Unauthorized("API token is invalid or revoked")
        # The user must still be active, as for access tokens: a deactivated user's API tokens worked.
        membership = _active_membership(session, user_id=token.user_id, account_id=token.account_id)
        if membership is None:
            raise Unauthorized("API token is invalid or revoked")
        _touch_api_token(session, token, clock.now())
        return Principal(
            token.user_id,
            token.account_id,
            membership.role,
            "api_token",
            membership.timezone,
            token.id,
            membership.require_two_factor and membership.totp_enabled_at is None,
            token.read_only,
        )
    try:
        claims = security.decode_access_token(settings.signing_keys, bearer, now=clock.now())
    except security.InvalidToken as exc:
        raise Unauthorized(f"Access token rejected: {exc}") from None
    membership = _active_membership(session, user_id=claims.user_id, account_id=claims.account_id)
    if membership is None:
        raise Unauthorized("Access token rejected: no such user")
    if membership.token_version != claims.version:
        raise Unauthorized("Access token rejected: signed out (the password was changed); sign in again")
    return Principal(
        claims.user_id,
        claims.account_id,
        membership.role,
        "session",
        membership.timezone,
        two_factor_missing=membership.require_two_factor and membership.totp_enabled_at is None,
    )


# A token's last use is recorded to the minute: most requests then write nothing, and a read-only
# request writes in a short unit of work of its own (db.write_beside), never in its read snapshot.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _touch_api_token(session: Session, token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and token.last_used_at > now - API_TOKEN_TOUCH_INTERVAL:
        return
    with write_beside(session) as writer:
        writer.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
            execution_options={"synchronize_session": False},
        )


def _active_membership(session: Session, *, user_id: int, account_id: int) -> Row[Any] | None:
    """The role of an active user in an account, the account's timezone and the user's token version,
    and whether two-factor is required of them but off."""
    return session.execute(
        select(Membership.role, Account.timezone, User.token_version, Account.require_two_factor, User.totp_enabled_at)
        .join(User, User.id == Membership.user_id)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.user_id == user_id, Membership.account_id == account_id, User.is_active.is_(True))
    ).first()


def update_me(session: Session, *, user: User, data: MeUpdate, hasher: PasswordHasher, clock: Clock) -> User:
    if data.name is not None:
        user.name = data.name
    if data.new_password is not None:
        if not data.current_password or not security.verify_password(hasher, user.password_hash, data.current_password):
            raise InvalidInput("current_password", "The current password is wrong")
        user.password_hash = security.hash_password(hasher, data.new_password)
        revoke_all_sessions(session, user_id=user.id, clock=clock)
        record_for_user(session, user_id=user.id, action="user.password_changed", now=clock.now())
    user.updated_at = clock.now()
    return user


def update_account(session: Session, *, account: Account, data: AccountUpdate, clock: Clock) -> Account:
    given = data.model_dump(exclude_unset=True)
    before = audit.snapshot(account, tuple(given))
    for field, value in given.items():
        if value is None and field in NOT_EMPTY_ACCOUNT_FIELDS:
            raise InvalidInput(field, "This field cannot be empty")
        setattr(account, field, value)
    account.updated_at = clock.now()
    if edited := audit.diff(before, audit.snapshot(account, tuple(given))):
        audit.record(
            session,
            account_id=account.id,
            action="account.settings_changed",
            entity_type="account",
            entity_id=account.id,
            now=account.updated_at,
            changes=edited,
        )
    return account


NOT_EMPTY_ACCOUNT_FIELDS = (
    "name",
    "default_currency",
    "timezone",
    "locale",
    "audit_record_ip",
    "audit_retention_days",
    "require_two_factor",
)


def record_for_user(session: Session, *, user_id: int, action: str, now: datetime, changes: dict | None = None) -> None:
    """An audit entry about the user's own credentials, in every account they belong to."""
    for account_id in session.scalars(select(Membership.account_id).where(Membership.user_id == user_id)):
        audit.record(
            session,
            account_id=account_id,
            action=action,
            entity_type="user",
            entity_id=user_id,
            now=now,
            changes=changes,
        )


def create_api_token(
    session: Session, *, principal: Principal, name: str, clock: Clock, read_only: bool = False
) -> tuple[ApiToken, str]:
    raw = security.new_opaque_token(security.API_TOKEN_PREFIX)
    token = ApiToken(
        account_id=principal.account_id,
        user_id=principal.user_id,
        name=name,
        prefix=raw[:10],
        token_hash=security.hash_token(raw),
        created_at=clock.now(),
        read_only=read_only,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        account_id=principal.account_id,
        action="token.created",
        entity_type="api_token",
        entity_id=token.id,
        now=token.created_at,
        changes={"name": name, "prefix": token.prefix, "read_only": token.read_only},
    )
    return token, raw


def list_api_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.account_id == principal.account_id,
                ApiToken.user_id == principal.user_id,
                ApiToken.revoked_at.is_(None),
            )
            .order_by(ApiToken.id)
        )
    )


def revoke_api_token(session: Session, *, principal: Principal, token_id: int, clock: Clock) -> None:
    token = session.scalars(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.account_id == principal.account_id,
            ApiToken.user_id == principal.user_id,
            ApiToken.revoked_at.is_(None),
        )
    ).first()
    if token is None:
        raise NotFound("API token")
    token.revoked_at = clock.now()
    audit.record(
        session,
        account_id=principal.account_id,
        action="token.revoked",
        entity_type="api_token",
        entity_id=token.id,
        now=token.revoked_at,
        changes={"name": token.name, "prefix": token.prefix},
    )
