"""Members: roles changed and removed within the rules (the last owner stays), ownership handed over,
and a user of several accounts switching between them."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from duespark.models import AuditEntry
from tests.helpers import auth
from tests.teams.support import make_team, role_of


def _account_id(client, headers) -> int:
    return client.get("/api/me", headers=headers).json()["account"]["id"]


def test_members_are_listed_with_their_roles(client, session, clock):
    team = make_team(client, session, clock)
    items = client.get("/api/members", headers=team["admin"]["headers"]).json()["items"]
    assert [(m["email"], m["role"]) for m in items] == [
        (team[role]["email"], role) for role in ("owner", "admin", "member", "viewer")
    ]


def test_admins_manage_roles_below_owner_and_changes_are_audited(client, session, clock):
    team = make_team(client, session, clock)
    admin, account_id = team["admin"]["headers"], _account_id(client, team["owner"]["headers"])
    member_id, owner_id = team["member"]["user_id"], team["owner"]["user_id"]
    changed = client.patch(f"/api/members/{member_id}", headers=admin, json={"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.role_changed")).one()
    assert (entry.entity_id, entry.changes) == (member_id, {"role": {"before": "member", "after": "viewer"}})
    assert entry.actor_label == team["admin"]["email"]
    # The demoted member's current token now carries the new role.
    assert client.post("/api/clients", headers=team["member"]["headers"], json={"name": "x"}).status_code == 403
    # Only an owner gives or takes the owner role.
    for response in (
        client.patch(f"/api/members/{owner_id}", headers=admin, json={"role": "member"}),
        client.patch(f"/api/members/{member_id}", headers=admin, json={"role": "owner"}),
        client.delete(f"/api/members/{owner_id}", headers=admin),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == "Your role (admin) may not change an owner: that needs the role owner"
    assert role_of(session, account_id=account_id, user_id=owner_id) == "owner"
    bad = client.patch(f"/api/members/{member_id}", headers=admin, json={"role": "god"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "role"
    assert client.patch("/api/members/987654321", headers=admin, json={"role": "viewer"}).status_code == 404


def test_the_last_owner_is_never_removed_or_demoted(client, session, clock):
    team = make_team(client, session, clock)
    owner, owner_id = team["owner"]["headers"], team["owner"]["user_id"]
    for response in (
        client.patch(f"/api/members/{owner_id}", headers=owner, json={"role": "admin"}),
        client.delete(f"/api/members/{owner_id}", headers=owner),
    ):
        assert response.status_code == 409
        assert response.json()["detail"] == "An account keeps at least one owner: make someone else owner first"
    # With a second owner, one of them may step down.
    promoted = client.patch(f"/api/members/{team['admin']['user_id']}", headers=owner, json={"role": "owner"})
    assert promoted.status_code == 200
    assert client.patch(f"/api/members/{owner_id}", headers=owner, json={"role": "admin"}).status_code == 200


def test_a_removed_member_loses_access_at_once(client, session, clock):
    team = make_team(client, session, clock)
    member = team["member"]
    token = client.post("/api/tokens", headers=member["headers"], json={"name": "script"}).json()["token"]
    assert client.delete(f"/api/members/{member['user_id']}", headers=team["admin"]["headers"]).status_code == 204
    assert client.get("/api/clients", headers=member["headers"]).status_code == 401
    assert client.get("/api/clients", headers=auth(token)).status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": member["refresh_token"]}).status_code == 401
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.removed")).one()
    assert entry.changes == {"email": member["email"], "role": "member"}
    # Their own account is theirs still.
    login = client.post("/api/auth/login", json={"email": member["email"], "password": member["password"]})
    assert [
        a["role"] for a in client.get("/api/me/accounts", headers=auth(login.json()["access_token"])).json()["items"]
    ] == ["owner"]


def test_ownership_is_handed_over_by_the_owner_only(client, session, clock):
    team = make_team(client, session, clock)
    target = {"user_id": team["member"]["user_id"]}
    refused = client.post("/api/members/transfer-ownership", headers=team["admin"]["headers"], json=target)
    assert refused.status_code == 403
    handed = client.post("/api/members/transfer-ownership", headers=team["owner"]["headers"], json=target)
    assert handed.status_code == 200 and handed.json()["role"] == "owner"
    account_id = _account_id(client, team["member"]["headers"])
    assert role_of(session, account_id=account_id, user_id=team["owner"]["user_id"]) == "admin"
    assert role_of(session, account_id=account_id, user_id=team["member"]["user_id"]) == "owner"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.account_id == account_id)).all()
    assert "account.ownership_transferred" in actions
    # The former owner, now admin, cannot hand it back.
    back = {"user_id": team["owner"]["user_id"]}
    assert (
        client.post("/api/members/transfer-ownership", headers=team["owner"]["headers"], json=back).status_code == 403
    )


def test_a_user_of_several_accounts_switches_between_them(client, session, clock, settings):
    team = make_team(client, session, clock)
    member = team["member"]
    shared_id = _account_id(client, team["owner"]["headers"])
    accounts = client.get("/api/me/accounts", headers=member["headers"]).json()["items"]
    assert [(a["role"], a["current"]) for a in accounts] == [("owner", False), ("member", True)]
    own_id = accounts[0]["id"]
    switched = client.post("/api/auth/switch-account", headers=member["headers"], json={"account_id": own_id})
    assert switched.status_code == 200
    access = switched.json()["access_token"]
    # The access token names the account.
    assert jwt.decode(access, options={"verify_signature": False})["acc"] == own_id
    me = client.get("/api/me", headers=auth(access)).json()
    assert (me["account"]["id"], me["role"]) == (own_id, "owner")
    # An account the user does not belong to is not found; another user's account id neither.
    outsider = team["viewer"]["headers"]
    assert client.post("/api/auth/switch-account", headers=outsider, json={"account_id": own_id}).status_code == 404
    assert client.post("/api/auth/switch-account", headers=outsider, json={"account_id": "x"}).status_code == 422
    assert client.post("/api/auth/switch-account", headers=outsider, json={"account_id": 2**70}).status_code == 422
    back = client.post("/api/auth/switch-account", headers=auth(access), json={"account_id": shared_id})
    assert client.get("/api/me", headers=auth(back.json()["access_token"])).json()["role"] == "member"
