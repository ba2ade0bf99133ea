"""Signed-in devices: one per refresh-token family (a sign-in and its rotations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from duespark.auth import security
from duespark.clock import Clock
from duespark.errors import NotFound
from duespark.models import Account, RefreshToken

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Device:
    user_agent: str | None
    ip: str | None

    @classmethod
    def of(cls, user_agent: str | None, ip: str | None) -> Device:
        return cls(user_agent[:USER_AGENT_LENGTH] if user_agent else None, ip)


@dataclass(frozen=True)
class SignedIn:
    family_id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


def ip_to_keep(session: Session, *, account_id: int, ip: str | None) -> str | None:
    """Addresses are kept only for accounts that record them (the audit setting)."""
    if ip is None or not session.scalar(select(Account.audit_record_ip).where(Account.id == account_id)):
        return None
    return ip


def is_new_device(session: Session, *, user_id: int, user_agent: str | None) -> bool:
    """True when the user signed in before, but never from a browser that introduced itself this way."""
    previous = select(RefreshToken.id).where(RefreshToken.user_id == user_id)
    if session.scalar(previous.limit(1)) is None:
        return False
    return session.scalar(previous.where(RefreshToken.user_agent == user_agent).limit(1)) is None


def family_of(session: Session, refresh_token: str | None) -> str | None:
    if not refresh_token:
        return None
    return session.scalar(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == security.hash_token(refresh_token))
    )


def list_signed_in(session: Session, *, user_id: int, current_family: str | None, clock: Clock) -> list[SignedIn]:
    now = clock.now()
    live = (
        select(
            RefreshToken.family_id,
            func.min(RefreshToken.issued_at).label("created_at"),
            func.max(RefreshToken.issued_at).label("last_used_at"),
            func.max(RefreshToken.id).label("newest"),
        )
        .where(RefreshToken.user_id == user_id)
        .group_by(RefreshToken.family_id)
        .having(func.max(RefreshToken.expires_at) > now)
        .subquery()
    )
    rows = session.execute(
        select(live, RefreshToken.user_agent, RefreshToken.ip, RefreshToken.revoked_at)
        .join(RefreshToken, RefreshToken.id == live.c.newest)
        .order_by(live.c.last_used_at.desc())
    ).all()
    return [
        SignedIn(r.family_id, r.created_at, r.last_used_at, r.user_agent, r.ip, r.family_id == current_family)
        for r in rows
        if r.revoked_at is None
    ]


def sign_out(session: Session, *, user_id: int, family_id: str, clock: Clock) -> None:
    revoked = session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    if not revoked.rowcount:
        raise NotFound("Session")


def sign_out_others(session: Session, *, user_id: int, keep_family: str | None, clock: Clock) -> int:
    stmt = update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if keep_family is not None:
        stmt = stmt.where(RefreshToken.family_id != keep_family)
    return session.execute(stmt.values(revoked_at=clock.now())).rowcount or 0
