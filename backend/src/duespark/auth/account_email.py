"""Email verification and password reset: single-use, expiring tokens, stored only as SHA-256 hashes.

The emails go through the outbox (a `messages` row), never from inside the request.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from duespark.auth import security
from duespark.auth.service import find_user_by_email, primary_membership, revoke_all_sessions
from duespark.clock import Clock
from duespark.email.compose import compose_account_email
from duespark.email.service import queue_message
from duespark.errors import Conflict, InvalidInput
from duespark.models import Account, User, UserToken
from duespark.settings import Settings

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret
VALID_HOURS = {VERIFY_EMAIL: 48, PASSWORD_RESET: 1}
WEB_PATHS = {VERIFY_EMAIL: "/verify-email", PASSWORD_RESET: "/reset-password"}
# One email per purpose and user per this interval, so the endpoints cannot be used to flood an inbox.
RESEND_AFTER = timedelta(minutes=1)
INVALID_LINK = "This link is invalid, was already used or has expired; ask for a new one"


def _issue(session: Session, *, user: User, purpose: str, settings: Settings, clock: Clock) -> bool:
    """Replace the user's open token for `purpose` with a new one and queue the email; False if throttled."""
    now = clock.now()
    recent = session.scalar(
        select(func.max(UserToken.created_at)).where(UserToken.user_id == user.id, UserToken.purpose == purpose)
    )
    if recent is not None and recent > now - RESEND_AFTER:
        return False
    # Only the newest link works: an older email lying in an inbox is dead once a new one is asked for.
    session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.purpose == purpose, UserToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = security.new_opaque_token()
    hours = VALID_HOURS[purpose]
    session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=security.hash_token(raw),
            email=user.email,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    account_id = primary_membership(session, user.id).account_id
    account = session.get(Account, account_id)
    assert account is not None
    link = f"{settings.public_url.rstrip('/')}{WEB_PATHS[purpose]}?{urlencode({'token': raw})}"
    email = compose_account_email(
        user=user, account=account, template_key=purpose, action_link=link, valid_hours=hours, settings=settings
    )
    queue_message(
        session,
        account_id=account_id,
        kind=purpose,
        template_key=purpose,
        to_email=user.email,
        email=email,
        clock=clock,
    )
    return True


def _consume(session: Session, *, raw: str, purpose: str, clock: Clock) -> User:
    now = clock.now()
    token = session.scalars(
        select(UserToken)
        .where(UserToken.token_hash == security.hash_token(raw), UserToken.purpose == purpose)
        .with_for_update()
    ).first()
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise InvalidInput("token", INVALID_LINK)
    user = session.get(User, token.user_id)
    # A token proves control of the address it was sent to, not of one the user changed to since.
    if user is None or not user.is_active or user.email.lower() != token.email.lower():
        raise InvalidInput("token", INVALID_LINK)
    token.used_at = now
    return user


def request_verification(session: Session, *, user: User, settings: Settings, clock: Clock) -> bool:
    if user.email_verified_at is not None:
        raise Conflict("This email address is already verified")
    return _issue(session, user=user, purpose=VERIFY_EMAIL, settings=settings, clock=clock)


def verify_email(session: Session, *, token: str, clock: Clock) -> User:
    user = _consume(session, raw=token, purpose=VERIFY_EMAIL, clock=clock)
    user.email_verified_at = user.email_verified_at or clock.now()
    user.updated_at = clock.now()
    return user


def request_password_reset(session: Session, *, email: str, settings: Settings, clock: Clock) -> None:
    """Queue a reset email if the address has an active user; the caller answers the same either way."""
    user = find_user_by_email(session, email)
    if user is not None and user.is_active:
        _issue(session, user=user, purpose=PASSWORD_RESET, settings=settings, clock=clock)


def reset_password(session: Session, *, token: str, new_password: str, hasher: PasswordHasher, clock: Clock) -> User:
    """Set the new password and sign out every session: whoever knew the old password is locked out."""
    user = _consume(session, raw=token, purpose=PASSWORD_RESET, clock=clock)
    user.password_hash = security.hash_password(hasher, new_password)
    # The reset link reached this inbox, which is what verification proves too.
    user.email_verified_at = user.email_verified_at or clock.now()
    user.updated_at = clock.now()
    revoke_all_sessions(session, user_id=user.id, clock=clock)
    return user
