"""Invitations: an email with a signed, single-use link that lets a person join an account with a role.

The link's token signs `<invitation id>:<nonce>` (signing.py, purpose "invitation"); the table keeps only
the nonce's SHA-256. A resend draws a new nonce, so only the newest email works. A person with a user
accepts signed in; one without signs up through the link, with the invited address and no other.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import quote

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.auth import security
from duespark.auth.addresses import email_key, normalize_email
from duespark.auth.service import Principal, find_user_by_email
from duespark.clock import Clock
from duespark.email.compose import compose_account_notice
from duespark.email.service import queue_message
from duespark.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from duespark.models import Account, Invitation, Membership, User
from duespark.models.enums import Role
from duespark.settings import Settings
from duespark.signing import InvalidLink, sign_token, verify_token
from duespark.teams.members import lock_account

PURPOSE = "invitation"
KIND = "invitation"
VALID_DAYS = 7
USED = "This invitation was already used, revoked or has expired: ask for a new one"
# Resending is limited, so the endpoint cannot flood someone's inbox.
RESEND_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class InvitationView:
    """What the link shows before it is accepted."""

    account_name: str
    email: str
    role: str
    invited_by: str | None
    has_user: bool


def _pending(stmt, now):  # type: ignore[no-untyped-def]
    return stmt.where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)


def list_pending(session: Session, *, account_id: int, clock: Clock) -> list[Invitation]:
    stmt = select(Invitation).where(Invitation.account_id == account_id).order_by(Invitation.id)
    return list(session.scalars(_pending(stmt, clock.now())))


def invite(
    session: Session, *, principal: Principal, email: str, role: Role, settings: Settings, clock: Clock
) -> Invitation:
    if role == Role.owner:
        raise InvalidInput("role", "Invite as admin, member or viewer; make an owner by transferring ownership")
    lock_account(session, principal.account_id)
    key = email_key(email)
    already = session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == principal.account_id, func.lower(User.email) == key)
    )
    if already is not None:
        raise Conflict([{"field": "email", "message": "This person is already a member of the account"}])
    pending = _pending(
        select(Invitation.id).where(Invitation.account_id == principal.account_id, func.lower(Invitation.email) == key),
        clock.now(),
    )
    if session.scalar(pending) is not None:
        raise Conflict([{"field": "email", "message": "This address has an open invitation: resend it instead"}])
    now = clock.now()
    invitation = Invitation(
        account_id=principal.account_id,
        email=normalize_email(email),
        role=role,
        nonce_hash="",
        invited_by=principal.user_id,
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
    )
    session.add(invitation)
    session.flush()
    _send(session, invitation, settings=settings, clock=clock)
    audit.record(
        session,
        account_id=principal.account_id,
        action="member.invited",
        entity_type="invitation",
        entity_id=invitation.id,
        now=now,
        changes={"email": invitation.email, "role": invitation.role},
    )
    return invitation


def _owned_pending(session: Session, *, account_id: int, invitation_id: int, clock: Clock) -> Invitation:
    stmt = select(Invitation).where(Invitation.id == invitation_id, Invitation.account_id == account_id)
    invitation = session.scalars(_pending(stmt, clock.now()).with_for_update()).first()
    if invitation is None:
        raise NotFound("Invitation")
    return invitation


def resend(
    session: Session, *, principal: Principal, invitation_id: int, settings: Settings, clock: Clock
) -> Invitation:
    """A new link, valid seven days from now; the one sent before stops working."""
    invitation = _owned_pending(session, account_id=principal.account_id, invitation_id=invitation_id, clock=clock)
    now = clock.now()
    if invitation.sent_at > now - RESEND_AFTER:
        raise Conflict("The invitation was sent a moment ago: wait a minute before sending it again")
    invitation.sent_at, invitation.expires_at = now, now + timedelta(days=VALID_DAYS)
    _send(session, invitation, settings=settings, clock=clock)
    return invitation


def revoke(session: Session, *, principal: Principal, invitation_id: int, clock: Clock) -> None:
    invitation = _owned_pending(session, account_id=principal.account_id, invitation_id=invitation_id, clock=clock)
    invitation.revoked_at = clock.now()
    audit.record(
        session,
        account_id=principal.account_id,
        action="member.invitation_revoked",
        entity_type="invitation",
        entity_id=invitation.id,
        now=invitation.revoked_at,
        changes={"email": invitation.email, "role": invitation.role},
    )


def _send(session: Session, invitation: Invitation, *, settings: Settings, clock: Clock) -> None:
    nonce = secrets.token_urlsafe(16)
    invitation.nonce_hash = security.hash_token(nonce)
    token = sign_token(settings, PURPOSE, f"{invitation.id}:{nonce}")
    account = session.get(Account, invitation.account_id)
    inviter = session.get(User, invitation.invited_by) if invitation.invited_by else None
    assert account is not None
    # The invitee may have no user yet: the email is addressed to the invitation, not to a row of users.
    recipient = User(email=invitation.email, name="")
    variables = {
        "account_name": account.name,
        "inviter_name": inviter.name if inviter else account.name,
        "role": invitation.role,
        "accept_link": f"{settings.public_url.rstrip('/')}/invite/{quote(token)}",
        "valid_days": VALID_DAYS,
    }
    email = compose_account_notice(
        user=recipient, account=account, template_key=KIND, variables=variables, settings=settings
    )
    email = replace(email, metadata={"invitation_id": str(invitation.id)})
    queue_message(
        session,
        account_id=account.id,
        kind=KIND,
        template_key=KIND,
        to_email=invitation.email,
        email=email,
        clock=clock,
    )


def _by_token(session: Session, token: str, *, settings: Settings, clock: Clock, lock: bool = False) -> Invitation:
    """The open invitation the token names; a forged token is a 404, a spent or expired one a 422."""
    invitation_id, _, nonce = verify_token(settings, PURPOSE, token).partition(":")
    if not invitation_id.isdigit():
        raise InvalidLink()
    stmt = select(Invitation).where(Invitation.id == int(invitation_id))
    invitation = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if invitation is None or not hmac.compare_digest(invitation.nonce_hash, security.hash_token(nonce)):
        raise InvalidInput("token", USED)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= clock.now():
        raise InvalidInput("token", USED)
    return invitation


def view(session: Session, *, token: str, settings: Settings, clock: Clock) -> InvitationView:
    invitation = _by_token(session, token, settings=settings, clock=clock)
    account = session.get(Account, invitation.account_id)
    inviter = session.get(User, invitation.invited_by) if invitation.invited_by else None
    assert account is not None
    return InvitationView(
        account.name,
        invitation.email,
        invitation.role,
        inviter.name if inviter else None,
        find_user_by_email(session, invitation.email) is not None,
    )


def accept(session: Session, *, token: str, user: User, settings: Settings, clock: Clock) -> Membership:
    """The signed-in user joins, if the invitation was sent to their address."""
    invitation = _by_token(session, token, settings=settings, clock=clock, lock=True)
    if email_key(user.email) != email_key(invitation.email):
        raise PermissionDenied(
            "This invitation was sent to another email address: sign in with that address to accept it"
        )
    lock_account(session, invitation.account_id)
    member = session.scalar(
        select(Membership.id).where(Membership.account_id == invitation.account_id, Membership.user_id == user.id)
    )
    if member is not None:
        raise Conflict("You are already a member of this account")
    return _join(session, invitation, user=user, clock=clock)


def sign_up(
    session: Session, *, token: str, name: str, password: str, hasher: PasswordHasher, settings: Settings, clock: Clock
) -> tuple[User, Membership]:
    """A user for the invited address, who joins at once; the link reaching the inbox verifies it."""
    invitation = _by_token(session, token, settings=settings, clock=clock, lock=True)
    if find_user_by_email(session, invitation.email) is not None:
        raise Conflict("A user with this email exists: sign in and accept the invitation")
    now = clock.now()
    user = User(
        email=invitation.email,
        password_hash=security.hash_password(hasher, password),
        name=name,
        is_active=True,
        email_verified_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    return user, _join(session, invitation, user=user, clock=clock)


def _join(session: Session, invitation: Invitation, *, user: User, clock: Clock) -> Membership:
    now = clock.now()
    # Conditional, so of two acceptances racing only one finds the invitation still open.
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now, accepted_by=user.id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise InvalidInput("token", USED)
    membership = Membership(
        account_id=invitation.account_id, user_id=user.id, role=invitation.role, created_at=now, updated_at=now
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        account_id=invitation.account_id,
        action="member.joined",
        entity_type="user",
        entity_id=user.id,
        now=now,
        changes={"email": user.email, "role": invitation.role, "invitation_id": invitation.id},
        actor=audit.Actor("user", user.id, user.email),
    )
    return membership
