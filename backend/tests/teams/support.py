"""A team of one account: an owner who registered, and an admin, a member and a viewer added to it."""

from __future__ import annotations

from sqlalchemy import select

from duespark.models import Membership, Message
from duespark.models.enums import Role
from tests.helpers import auth, register


def add_member(client, session, clock, *, owner: dict, role: str) -> dict:
    """A registered user (with an account of their own) who also belongs to the owner's account with
    `role`, with headers naming the owner's account."""
    person = register(client)
    account_id = client.get("/api/me", headers=owner["headers"]).json()["account"]["id"]
    user_id = client.get("/api/me", headers=person["headers"]).json()["id"]
    now = clock.now()
    session.add(Membership(account_id=account_id, user_id=user_id, role=role, created_at=now, updated_at=now))
    session.commit()
    switched = client.post("/api/auth/switch-account", headers=person["headers"], json={"account_id": account_id})
    assert switched.status_code == 200, switched.text
    return {**person, **switched.json(), "headers": auth(switched.json()["access_token"]), "user_id": user_id}


def make_team(client, session, clock) -> dict[str, dict]:
    owner = register(client)
    owner["user_id"] = client.get("/api/me", headers=owner["headers"]).json()["id"]
    team = {"owner": owner}
    for role in (Role.admin, Role.member, Role.viewer):
        team[role.value] = add_member(client, session, clock, owner=owner, role=role)
    return team


def role_of(session, *, account_id: int, user_id: int) -> str | None:
    return session.scalar(
        select(Membership.role).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )


def invitation_link_token_from(session_factory, *, to: str) -> str:
    with session_factory() as session:
        return invitation_link_token(session, to=to)


def invitation_link_token(session, *, to: str) -> str:
    """The token of the newest invitation email queued to `to`, read from the email's text."""
    session.expire_all()
    message = session.scalars(
        select(Message).where(Message.kind == "invitation", Message.to_email == to).order_by(Message.id.desc())
    ).first()
    assert message is not None, f"no invitation email to {to}"
    text = message.content["text"]
    return text.split("/invite/", 1)[1].split(")", 1)[0].split()[0]
