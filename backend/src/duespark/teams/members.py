"""An account's members: list, change a role, remove, hand ownership over; and a user's accounts.

Every change locks the account's row first, so two changes at once (two owners demoting each other)
are made one after the other and the second sees the first: the last owner is never removed or demoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.auth.service import Principal
from duespark.clock import Clock
from duespark.errors import Conflict, NotFound, PermissionDenied
from duespark.models import Account, ApiToken, Membership, RefreshToken, User
from duespark.models.enums import Role

LAST_OWNER = "An account keeps at least one owner: make someone else owner first"


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class AccountChoice:
    id: int
    name: str
    role: str


def list_members(session: Session, *, account_id: int) -> list[Member]:
    rows = session.execute(
        select(User.id, User.email, User.name, Membership.role, Membership.created_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account_id)
        .order_by(Membership.id)
    )
    return [Member(*row) for row in rows]


def accounts_of(session: Session, *, user_id: int) -> list[AccountChoice]:
    rows = session.execute(
        select(Account.id, Account.name, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.id)
    )
    return [AccountChoice(*row) for row in rows]


def lock_account(session: Session, account_id: int) -> None:
    """Serialise team changes of one account (PostgreSQL row lock; SQLite writes one at a time anyway)."""
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


def _membership(session: Session, *, account_id: int, user_id: int) -> Membership:
    membership = session.scalars(
        select(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    ).first()
    if membership is None:
        raise NotFound("Member")
    return membership


def _owner_count(session: Session, account_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.account_id == account_id, Membership.role == Role.owner)
    )


def _check_may_manage(principal: Principal, *, current: str, new: str | None) -> None:
    """Admins manage admins, members and viewers; only an owner gives or takes the owner role."""
    if Role.owner in (current, new) and principal.role != Role.owner:
        raise PermissionDenied(f"Your role ({principal.role}) may not change an owner: that needs the role owner")


def change_role(session: Session, *, principal: Principal, user_id: int, role: Role, clock: Clock) -> Member:
    lock_account(session, principal.account_id)
    membership = _membership(session, account_id=principal.account_id, user_id=user_id)
    before = membership.role
    _check_may_manage(principal, current=before, new=role)
    if before == Role.owner and role != Role.owner and _owner_count(session, principal.account_id) <= 1:
        raise Conflict(LAST_OWNER)
    if before != role:
        membership.role = role
        membership.updated_at = clock.now()
        audit.record(
            session,
            account_id=principal.account_id,
            action="member.role_changed",
            entity_type="user",
            entity_id=user_id,
            now=clock.now(),
            changes={"role": {"before": before, "after": role.value}},
        )
    return _member(session, membership)


def remove(session: Session, *, principal: Principal, user_id: int, clock: Clock) -> None:
    """Take the user out of the account; their sessions and API tokens for it stop working at once."""
    lock_account(session, principal.account_id)
    membership = _membership(session, account_id=principal.account_id, user_id=user_id)
    _check_may_manage(principal, current=membership.role, new=None)
    if membership.role == Role.owner and _owner_count(session, principal.account_id) <= 1:
        raise Conflict(LAST_OWNER)
    now = clock.now()
    email = session.scalar(select(User.email).where(User.id == user_id))
    session.delete(membership)
    for model in (RefreshToken, ApiToken):
        session.execute(
            update(model)
            .where(model.account_id == principal.account_id, model.user_id == user_id, model.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    audit.record(
        session,
        account_id=principal.account_id,
        action="member.removed",
        entity_type="user",
        entity_id=user_id,
        now=now,
        changes={"email": email, "role": membership.role},
    )


def transfer_ownership(session: Session, *, principal: Principal, user_id: int, clock: Clock) -> Member:
    """The member becomes owner and the owner handing over becomes admin."""
    if user_id == principal.user_id:
        raise Conflict("You are the owner already")
    lock_account(session, principal.account_id)
    target = _membership(session, account_id=principal.account_id, user_id=user_id)
    mine = _membership(session, account_id=principal.account_id, user_id=principal.user_id)
    now = clock.now()
    target.role, target.updated_at = Role.owner, now
    mine.role, mine.updated_at = Role.admin, now
    audit.record(
        session,
        account_id=principal.account_id,
        action="account.ownership_transferred",
        entity_type="user",
        entity_id=user_id,
        now=now,
        changes={"from_user_id": principal.user_id, "to_user_id": user_id},
    )
    return _member(session, target)


def _member(session: Session, membership: Membership) -> Member:
    user = session.get(User, membership.user_id)
    assert user is not None
    return Member(user.id, user.email, user.name, membership.role, membership.created_at)
