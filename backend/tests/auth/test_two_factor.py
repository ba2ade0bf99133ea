"""TOTP two-factor sign-in with the injected clock: enrolment, codes per window, single use, recovery
codes, the remembered device, the owner's requirement, and a wrong code answered like a wrong password."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import event, select

from duespark.auth import two_factor
from duespark.models import Account, Message
from tests.helpers import auth, register

PASSWORD = "correct horse battery"


def _enrolled(client, clock) -> tuple[dict, str, list[str]]:
    """A registered user with two-factor on: (user, secret, recovery codes)."""
    user = register(client, password=PASSWORD)
    enrolment = client.post("/api/auth/2fa/enrol", headers=user["headers"])
    assert enrolment.status_code == 200, enrolment.text
    secret = enrolment.json()["secret"]
    confirmed = client.post(
        "/api/auth/2fa/confirm", json={"code": two_factor.current_code(secret, clock.now())}, headers=user["headers"]
    )
    assert confirmed.status_code == 200, confirmed.text
    return user, secret, confirmed.json()["recovery_codes"]


def _login(client, user, **extra):
    return client.post("/api/auth/login", json={"email": user["email"], "password": PASSWORD, **extra})


def test_enrolment_shows_a_qr_code_and_needs_a_current_code(client, clock):
    user = register(client, password=PASSWORD)
    enrolment = client.post("/api/auth/2fa/enrol", headers=user["headers"]).json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/DueSpark:")
    assert f"secret={enrolment['secret']}" in enrolment["otpauth_uri"]
    assert enrolment["qr_svg"].startswith("data:image/svg+xml")
    stale = two_factor.current_code(enrolment["secret"], clock.now() - timedelta(minutes=2))
    refused = client.post("/api/auth/2fa/confirm", json={"code": stale}, headers=user["headers"])
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "code"
    assert client.get("/api/auth/2fa", headers=user["headers"]).json()["enabled"] is False
    # Until confirmed, sign-in asks for nothing more.
    assert _login(client, user).status_code == 200
    code = two_factor.current_code(enrolment["secret"], clock.now())
    codes = client.post("/api/auth/2fa/confirm", json={"code": code}, headers=user["headers"]).json()
    assert len(codes["recovery_codes"]) == 10 and len(set(codes["recovery_codes"])) == 10
    assert client.get("/api/auth/2fa", headers=user["headers"]).json() == {
        "enabled": True,
        "recovery_codes_left": 10,
        "required_by_account": False,
    }


def test_sign_in_needs_a_code_of_the_right_window_used_once(client, clock):
    user, secret, _ = _enrolled(client, clock)
    asked = _login(client, user)
    assert asked.status_code == 401 and asked.json()["error"] == "TwoFactorRequired"
    clock.advance(timedelta(seconds=60))
    for offset in (-90, 60):  # three steps back, two ahead: outside the tolerated drift
        late = _login(client, user, code=two_factor.current_code(secret, clock.now() + timedelta(seconds=offset)))
        assert late.status_code == 401 and late.json()["detail"] == two_factor.WRONG_CREDENTIALS
    previous = two_factor.current_code(secret, clock.now() - timedelta(seconds=30))
    assert _login(client, user, code=previous).status_code == 200  # a phone 30 s slow still signs in
    assert _login(client, user, code=previous).status_code == 401  # a code works once
    current = two_factor.current_code(secret, clock.now())
    assert _login(client, user, code=f" {current[:3]} {current[3:]} ").status_code == 200  # spaces are ignored
    assert _login(client, user, code=current).status_code == 401
    # An older window, even one never used, is refused once a later one signed in.
    assert _login(client, user, code=previous).status_code == 401


def test_a_recovery_code_signs_in_once(client, clock):
    user, _, codes = _enrolled(client, clock)
    assert _login(client, user, code=codes[0].upper()).status_code == 200
    assert _login(client, user, code=codes[0]).status_code == 401
    signed_in = _login(client, user, code=codes[1])
    status = client.get("/api/auth/2fa", headers=auth(signed_in.json()["access_token"])).json()
    assert status["recovery_codes_left"] == 8


def test_hostile_codes_are_refused_with_the_field(client, clock):
    user, _, _ = _enrolled(client, clock)
    too_long = _login(client, user, code="1" * 65)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["field"] == "code"
    for code in ("'; drop table users; --", "<script>alert(1)</script>", "١٢٣٤٥٦", "0" * 64):
        answer = _login(client, user, code=code)
        assert answer.status_code == 401 and answer.json()["detail"] == two_factor.WRONG_CREDENTIALS


def test_a_wrong_code_does_the_work_of_a_wrong_password(client, clock, app):
    """The same answer and the same database statements: one user lookup, the password hash, the TOTP
    windows and the recovery UPDATE (the Argon2 verification runs in both; see auth/two_factor.py)."""
    user, _, _ = _enrolled(client, clock)
    statements: list[str] = []
    engine = app.state.session_factory.kw["bind"].engine

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        wrong_code = _login(client, user, code="000000")
        code_statements, statements[:] = list(statements), []
        wrong_password = client.post(
            "/api/auth/login", json={"email": user["email"], "password": "not the password", "code": "000000"}
        )
        password_statements = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert wrong_code.status_code == wrong_password.status_code == 401
    assert wrong_code.json() == wrong_password.json()
    assert [s for s in code_statements if s in ("SELECT", "UPDATE")] == [
        s for s in password_statements if s in ("SELECT", "UPDATE")
    ]


def test_a_remembered_device_skips_the_code_for_30_days(client, clock):
    user, secret, _ = _enrolled(client, clock)
    clock.advance(timedelta(seconds=30))
    remembered = _login(client, user, code=two_factor.current_code(secret, clock.now()), remember_device=True)
    assert remembered.status_code == 200 and "duespark_device" in remembered.cookies
    assert _login(client, user).status_code == 200  # the cookie stands in for the code
    forged = client.cookies.get("duespark_device")[:-2] + "xx"
    client.cookies.set("duespark_device", forged, path="/api/auth")
    assert _login(client, user).json()["error"] == "TwoFactorRequired"
    client.cookies.set("duespark_device", remembered.cookies["duespark_device"], path="/api/auth")
    clock.advance(timedelta(days=30, seconds=1))
    assert _login(client, user).json()["error"] == "TwoFactorRequired"


def test_a_password_change_forgets_remembered_devices(client, clock):
    user, secret, _ = _enrolled(client, clock)
    clock.advance(timedelta(seconds=30))
    signed_in = _login(client, user, code=two_factor.current_code(secret, clock.now()), remember_device=True)
    changed = client.patch(
        "/api/me",
        json={"current_password": PASSWORD, "new_password": PASSWORD},
        headers=auth(signed_in.json()["access_token"]),
    )
    assert changed.status_code == 200
    assert _login(client, user).json()["error"] == "TwoFactorRequired"


def test_turning_it_off_needs_password_and_code(client, clock, session):
    user, secret, _ = _enrolled(client, clock)
    clock.advance(timedelta(seconds=30))
    code = two_factor.current_code(secret, clock.now())
    headers = auth(_login(client, user, code=code).json()["access_token"])
    clock.advance(timedelta(seconds=30))
    code = two_factor.current_code(secret, clock.now())
    wrong_password = client.post("/api/auth/2fa/disable", json={"password": "nope", "code": code}, headers=headers)
    assert wrong_password.status_code == 422 and wrong_password.json()["detail"][0]["field"] == "password"
    wrong_code = client.post("/api/auth/2fa/disable", json={"password": PASSWORD, "code": "123456"}, headers=headers)
    assert wrong_code.status_code == 422 and wrong_code.json()["detail"][0]["field"] == "code"
    done = client.post("/api/auth/2fa/disable", json={"password": PASSWORD, "code": code}, headers=headers)
    assert done.status_code == 204
    assert _login(client, user).status_code == 200
    actions = [e["action"] for e in client.get("/api/audit", headers=headers).json()["items"]]
    assert {"user.two_factor_disabled", "user.two_factor_enabled"} <= set(actions)
    notices = session.scalars(select(Message.subject).where(Message.kind == "security_notice")).all()
    assert "DueSpark security: Two-factor sign-in was turned on" in notices
    assert "DueSpark security: Two-factor sign-in was turned off" in notices


def test_an_owner_can_require_it_of_every_member(client, clock, session):
    plain = register(client, password=PASSWORD)
    refused = client.patch("/api/account", json={"require_two_factor": True}, headers=plain["headers"])
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "require_two_factor"
    user, _, _ = _enrolled(client, clock)
    assert client.patch("/api/account", json={"require_two_factor": True}, headers=user["headers"]).status_code == 200
    # A member without two-factor (here: an account required behind the user's back) reaches only enrolment.
    account_id = client.get("/api/me", headers=plain["headers"]).json()["account"]["id"]
    session.get(Account, account_id).require_two_factor = True
    session.commit()
    blocked = client.get("/api/invoices", headers=plain["headers"])
    assert blocked.status_code == 403 and blocked.json()["error"] == "TwoFactorSetupRequired"
    assert client.get("/api/me", headers=plain["headers"]).status_code == 200
    assert client.post("/api/auth/2fa/enrol", headers=plain["headers"]).status_code == 200


def test_login_with_codes_stays_rate_limited(tmp_path, database_url, clock, session_factory, redis_url):
    from fastapi.testclient import TestClient

    from duespark.app import create_app
    from tests.conftest import make_test_settings

    prefix = f"duespark-test-{uuid.uuid4().hex[:8]}"  # counters of this test only
    settings = make_test_settings(
        tmp_path, database_url, rate_limit_enabled=True, redis_url=redis_url, rate_limit_prefix=prefix
    )
    app = create_app(settings, clock)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        user, _, _ = _enrolled(client, clock)
        answers = [_login(client, user, code=f"{n:06d}").status_code for n in range(30)]
    assert 429 in answers and answers[0] == 401


def test_new_device_sign_in_emails_the_user(client, clock, session):
    user = register(client, password=PASSWORD)
    assert _login(client, user).status_code == 200  # the browser that registered: known
    other = client.post(
        "/api/auth/login",
        json={"email": user["email"], "password": PASSWORD},
        headers={"User-Agent": "<script>alert(1)</script> Evil/1.0"},
    )
    assert other.status_code == 200
    bodies = session.scalars(select(Message).where(Message.kind == "security_notice")).all()
    assert [m.subject for m in bodies] == ["DueSpark security: A new device signed in"]
    content = bodies[0].content
    assert "Device: <script>alert(1)</script> Evil/1.0" in content["text"]  # plain text shows it as it came
    assert "<script>" not in content["html"] and "&lt;script&gt;alert(1)&lt;/script&gt; Evil/1.0" in content["html"]


def test_the_totp_secret_is_never_exported(client, clock):
    import io
    import json
    import zipfile

    user, _, _ = _enrolled(client, clock)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=user["headers"]).content))
    users = json.loads(archive.read("json/users.json"))
    assert "totp_secret" not in users[0]
    assert "recovery_codes" not in " ".join(archive.namelist())
