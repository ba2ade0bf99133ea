"""Email verification and password reset through the API, and the outbox that sends them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from duespark.email.outbox import send_queued_messages
from duespark.email.service import can_send_reminders
from duespark.models import Membership, Message, RefreshToken, User, UserToken
from tests.conftest import make_test_settings
from tests.helpers import register


def _account_messages(session, kind):
    session.expire_all()
    return list(session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def _token_from(message: Message, path: str) -> str:
    match = re.search(rf"http://testserver{path}\?token=([A-Za-z0-9_\-]+)", message.content["text"])
    assert match, message.content["text"]
    return match.group(1)


def test_sign_up_queues_a_verification_email_and_the_link_verifies(client, session):
    user = register(client, email="ada@example.com")
    [message] = _account_messages(session, "verify_email")
    assert (message.to_email, message.status) == ("ada@example.com", "queued")
    assert message.content["subject"] == "Confirm your email address for DueSpark"
    token = _token_from(message, "/verify-email")
    # Only the hash is stored.
    assert session.scalar(select(UserToken.token_hash).where(UserToken.purpose == "verify_email")) != token

    assert client.get("/api/me", headers=user["headers"]).json()["email_verified"] is False
    response = client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 200 and response.json() == {"email": "ada@example.com", "email_verified": True}
    assert client.get("/api/me", headers=user["headers"]).json()["email_verified"] is True
    # Single use.
    again = client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "token"
    assert client.post("/api/auth/verify-email/request", headers=user["headers"]).status_code == 409


def test_verification_link_expires(client, session, clock):
    register(client)
    token = _token_from(_account_messages(session, "verify_email")[0], "/verify-email")
    clock.advance(hours=48, seconds=1)
    assert client.post("/api/auth/verify-email", json={"token": token}).status_code == 422


def test_asking_again_is_throttled_and_kills_the_older_link(client, session, clock):
    user = register(client)
    first = _token_from(_account_messages(session, "verify_email")[0], "/verify-email")
    assert client.post("/api/auth/verify-email/request", headers=user["headers"]).status_code == 202
    assert len(_account_messages(session, "verify_email")) == 1  # within a minute: no second email
    clock.advance(minutes=2)
    assert client.post("/api/auth/verify-email/request", headers=user["headers"]).status_code == 202
    messages = _account_messages(session, "verify_email")
    assert len(messages) == 2
    assert client.post("/api/auth/verify-email", json={"token": first}).status_code == 422
    second = _token_from(messages[1], "/verify-email")
    assert client.post("/api/auth/verify-email", json={"token": second}).status_code == 200


def test_a_token_for_an_address_the_user_left_does_not_verify_the_new_one(client, session):
    user = register(client, email="old@example.com")
    token = _token_from(_account_messages(session, "verify_email")[0], "/verify-email")
    me = session.scalars(select(User).where(User.email == "old@example.com")).one()
    me.email = "new@example.com"
    session.flush()
    assert client.post("/api/auth/verify-email", json={"token": token}).status_code == 422
    assert client.get("/api/me", headers=user["headers"]).json()["email_verified"] is False


def test_password_reset_request_answers_the_same_for_unknown_addresses(client, session):
    register(client, email="known@example.com")
    known = client.post("/api/auth/password-reset/request", json={"email": "KNOWN@example.com"})
    unknown = client.post("/api/auth/password-reset/request", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to_email for m in _account_messages(session, "password_reset")] == ["known@example.com"]


def test_password_reset_sets_the_password_and_signs_out_every_session(client, session, clock):
    user = register(client, email="reset@example.com")
    other_login = client.post("/api/auth/login", json={"email": user["email"], "password": user["password"]}).json()
    client.post("/api/auth/password-reset/request", json={"email": "reset@example.com"})
    token = _token_from(_account_messages(session, "password_reset")[0], "/reset-password")

    short = client.post("/api/auth/password-reset", json={"token": token, "new_password": "short"})
    assert short.status_code == 422 and short.json()["detail"][0]["field"] == "new_password"
    done = client.post("/api/auth/password-reset", json={"token": token, "new_password": "a brand new password"})
    assert done.status_code == 204
    for refresh in (user["refresh_token"], other_login["refresh_token"]):
        assert client.post("/api/auth/refresh", json={"refresh_token": refresh}).status_code == 401
    session.expire_all()
    assert session.scalar(select(RefreshToken.id).where(RefreshToken.revoked_at.is_(None))) is None
    old = client.post("/api/auth/login", json={"email": user["email"], "password": user["password"]})
    new = client.post("/api/auth/login", json={"email": user["email"], "password": "a brand new password"})
    assert (old.status_code, new.status_code) == (401, 200)
    # The link reached the inbox: the address counts as verified. And it works once.
    assert client.get("/api/me", headers={"Authorization": f"Bearer {new.json()['access_token']}"}).json()[
        "email_verified"
    ]
    replay = client.post("/api/auth/password-reset", json={"token": token, "new_password": "another new password"})
    assert replay.status_code == 422


def test_reset_link_expires_after_an_hour(client, session, clock):
    register(client, email="late@example.com")
    client.post("/api/auth/password-reset/request", json={"email": "late@example.com"})
    token = _token_from(_account_messages(session, "password_reset")[0], "/reset-password")
    clock.advance(minutes=61)
    response = client.post("/api/auth/password-reset", json={"token": token, "new_password": "a brand new password"})
    assert response.status_code == 422


@pytest.mark.parametrize("token", ["", "x" * 300, "not-a-token"])
def test_garbage_tokens_are_refused(client, token):
    assert client.post("/api/auth/verify-email", json={"token": token}).status_code == 422
    reset = client.post("/api/auth/password-reset", json={"token": token, "new_password": "long enough password"})
    assert reset.status_code == 422


def test_the_outbox_sends_account_emails_and_forgets_their_links(
    client, session, session_factory, clock, settings, provider
):
    register(client, email="sent@example.com")
    assert send_queued_messages(session_factory, provider=provider, settings=settings, clock=clock) == 1
    [email] = provider.sent
    assert email.to == "sent@example.com" and email.from_name == "DueSpark"
    assert "/verify-email?token=" in email.text and "/verify-email?token=" in email.html
    [message] = _account_messages(session, "verify_email")
    assert message.status == "sent" and message.content is None


def test_reminders_need_a_verified_owner_only_where_required(client, session, tmp_path, database_url):
    user = register(client, email="owner@example.com")
    account_id = session.scalar(
        select(Membership.account_id).join(User, User.id == Membership.user_id).where(User.email == "owner@example.com")
    )
    relaxed = make_test_settings(tmp_path, database_url)
    strict = make_test_settings(tmp_path, database_url, require_verified_email_for_reminders=True)
    production = make_test_settings(tmp_path, database_url, env="production")
    assert can_send_reminders(session, account_id, relaxed) is True
    assert can_send_reminders(session, account_id, strict) is False
    assert production.verified_email_required is True
    token = _token_from(_account_messages(session, "verify_email")[0], "/verify-email")
    client.post("/api/auth/verify-email", json={"token": token})
    session.expire_all()
    assert can_send_reminders(session, account_id, strict) is True
    assert user["email"] == "owner@example.com"


def test_verification_email_is_in_the_accounts_language(client, session):
    user = register(client, email="de@example.com")
    client.patch("/api/account", headers=user["headers"], json={"locale": "de"})
    session.expire_all()
    # Step past the one-email-per-minute throttle.
    for token in session.scalars(select(UserToken)).all():
        token.created_at = token.created_at - timedelta(minutes=5)
    session.flush()
    client.post("/api/auth/verify-email/request", headers=user["headers"])
    latest = _account_messages(session, "verify_email")[-1]
    assert latest.content["subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse für DueSpark"
