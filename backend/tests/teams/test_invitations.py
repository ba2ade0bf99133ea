"""Invitations: the email, accepting signed in, signing up through the link, and every way a link is refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from duespark.models import AuditEntry, Message, User
from tests.helpers import auth, register
from tests.teams.support import invitation_link_token, make_team

PASSWORD = "correct horse battery"


def _invite(client, headers, email: str, role: str = "member"):
    return client.post("/api/invitations", headers=headers, json={"email": email, "role": role})


def _account_id(client, headers) -> int:
    return client.get("/api/me", headers=headers).json()["account"]["id"]


def test_an_invited_user_accepts_signed_in_and_joins_with_the_role(client, session, clock):
    owner = register(client)
    invitee = register(client)
    created = _invite(client, owner["headers"], invitee["email"].replace("example.com", "EXAMPLE.com"), "admin")
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["email"], body["role"]) == (invitee["email"], "admin")
    assert body["expires_at"] == (clock.now() + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    assert [i["id"] for i in client.get("/api/invitations", headers=owner["headers"]).json()["items"]] == [body["id"]]
    message = session.scalars(select(Message).where(Message.kind == "invitation")).one()
    assert message.to_email == invitee["email"]
    assert message.subject == "Test invited you to Test on DueSpark"
    token = invitation_link_token(session, to=invitee["email"])
    assert f"/invite/{token})" in message.content["text"]

    preview = client.post("/api/invitations/preview", json={"token": token}).json()
    assert preview == {
        "account_name": "Test",
        "email": invitee["email"],
        "role": "admin",
        "invited_by": "Test",
        "has_user": True,
    }
    accepted = client.post("/api/invitations/accept", headers=invitee["headers"], json={"token": token})
    assert accepted.status_code == 200, accepted.text
    joined = auth(accepted.json()["access_token"])
    me = client.get("/api/me", headers=joined).json()
    assert (me["account"]["id"], me["role"]) == (_account_id(client, owner["headers"]), "admin")
    # Used once: a second use, by anyone, is refused; the invitation is no longer open.
    again = client.post("/api/invitations/accept", headers=invitee["headers"], json={"token": token})
    assert again.status_code == 422
    assert again.json()["detail"][0] == {
        "field": "token",
        "message": "This invitation was already used, revoked or has expired: ask for a new one",
    }
    assert client.get("/api/invitations", headers=owner["headers"]).json()["items"] == []
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["member.invited", "member.joined"]
    # Inviting someone who already belongs to the account is refused.
    assert _invite(client, owner["headers"], invitee["email"]).status_code == 409


def test_another_email_signing_in_with_the_link_is_refused(client, session):
    owner, intruder = register(client), register(client)
    _invite(client, owner["headers"], "invited@example.com")
    token = invitation_link_token(session, to="invited@example.com")
    refused = client.post("/api/invitations/accept", headers=intruder["headers"], json={"token": token})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This invitation was sent to another email address: sign in with that address to accept it"
    )
    assert len(client.get("/api/me/accounts", headers=intruder["headers"]).json()["items"]) == 1
    # Signing up with another address through the link is refused too; the invited address is not.
    other = {"token": token, "email": "other@example.com", "name": "Mallory", "password": PASSWORD}
    response = client.post("/api/auth/register-invited", json=other)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "email"
    assert session.scalar(select(User).where(User.email == "other@example.com")) is None


def test_a_person_without_a_user_signs_up_through_the_link(client, session):
    owner = register(client)
    _invite(client, owner["headers"], "new.person@example.com", "viewer")
    token = invitation_link_token(session, to="new.person@example.com")
    assert client.post("/api/invitations/preview", json={"token": token}).json()["has_user"] is False
    body = {"token": token, "email": "New.Person@example.com", "name": "<script>x</script>", "password": PASSWORD}
    response = client.post("/api/auth/register-invited", json=body)
    assert response.status_code == 201, response.text
    headers = auth(response.json()["access_token"])
    me = client.get("/api/me", headers=headers).json()
    assert (me["email"], me["name"], me["role"], me["email_verified"]) == (
        "new.person@example.com",
        "<script>x</script>",
        "viewer",
        True,
    )
    assert me["account"]["id"] == _account_id(client, owner["headers"])
    assert [a["id"] for a in client.get("/api/me/accounts", headers=headers).json()["items"]] == [me["account"]["id"]]
    # The link is spent; signing in works with the new password.
    assert client.post("/api/auth/register-invited", json=body).status_code == 422
    login = client.post("/api/auth/login", json={"email": "new.person@example.com", "password": PASSWORD})
    assert login.status_code == 200


def test_expired_revoked_resent_and_forged_links_are_refused(client, session, clock):
    owner = register(client)
    h = owner["headers"]
    invitation = _invite(client, h, "late@example.com").json()
    first = invitation_link_token(session, to="late@example.com")
    # Resending at once is throttled; a minute later the new link replaces the old one.
    assert client.post(f"/api/invitations/{invitation['id']}/resend", headers=h).status_code == 409
    clock.advance(minutes=2)
    resent = client.post(f"/api/invitations/{invitation['id']}/resend", headers=h)
    assert resent.status_code == 200
    second = invitation_link_token(session, to="late@example.com")
    assert second != first
    assert client.post("/api/invitations/preview", json={"token": first}).status_code == 422
    assert client.post("/api/invitations/preview", json={"token": second}).status_code == 200
    # Seven days after the resend it has expired.
    clock.advance(days=7)
    assert client.post("/api/invitations/preview", json={"token": second}).status_code == 422
    h = auth(
        client.post("/api/auth/login", json={"email": owner["email"], "password": PASSWORD}).json()["access_token"]
    )
    assert client.get("/api/invitations", headers=h).json()["items"] == []
    # Revoked: the link is dead, and revoking again finds nothing.
    other = _invite(client, h, "revoked@example.com").json()
    token = invitation_link_token(session, to="revoked@example.com")
    assert client.delete(f"/api/invitations/{other['id']}", headers=h).status_code == 204
    assert client.post("/api/invitations/preview", json={"token": token}).status_code == 422
    assert client.delete(f"/api/invitations/{other['id']}", headers=h).status_code == 404
    # Altered, made for another purpose, or not a token at all: a 404.
    value, mac = token.split(".")
    for forged in (f"{value}.{mac[:-2]}AA", f"{value}", "x" * 512, "MQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA"):
        assert client.post("/api/invitations/preview", json={"token": forged}).status_code == 404, forged
    assert client.post("/api/invitations/preview", json={"token": "x" * 513}).status_code == 422
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "invitation")).all()
    assert actions == ["member.invited", "member.invited", "member.invitation_revoked"]


def test_bad_invitations_are_refused_with_the_field(client, session, clock):
    team = make_team(client, session, clock)
    h = team["owner"]["headers"]
    assert _invite(client, h, "a@example.com", "owner").json()["detail"][0]["field"] == "role"
    assert _invite(client, h, "not an address").json()["detail"][0]["field"] == "email"
    assert _invite(client, h, "a" * 400 + "@example.com").status_code == 422
    assert _invite(client, h, team["viewer"]["email"]).status_code == 409
    assert _invite(client, h, "twice@example.com").status_code == 201
    assert _invite(client, team["admin"]["headers"], "TWICE@example.com").status_code == 409
    assert _invite(client, team["member"]["headers"], "m@example.com").status_code == 403


def test_the_invitation_email_speaks_the_accounts_language(client, session):
    owner = register(client, company_name="Muster GmbH")
    assert client.patch("/api/account", headers=owner["headers"], json={"locale": "de"}).status_code == 200
    _invite(client, owner["headers"], "kollege@example.com")
    message = session.scalars(select(Message).where(Message.kind == "invitation")).one()
    assert message.subject == "Test hat Sie zu Muster GmbH bei DueSpark eingeladen"
    assert "mit der Rolle member beizutreten" in message.content["text"]
