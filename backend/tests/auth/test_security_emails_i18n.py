# ruff: noqa: RUF001, E501  (the emails' own dashes and angle quotes; sentences kept whole)
"""Security emails (a new device signed in, two-factor turned on or off) in the account's language (issue #20)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from duespark.auth import two_factor
from duespark.models import Account, Membership, Message, User
from tests.helpers import register

PASSWORD = "correct horse battery"
LINK = "http://testserver/settings?tab=security"

EXPECTED = {
    "en": (
        ["DueSpark security: A new device signed in", "DueSpark security: Two-factor sign-in was turned on",
         "DueSpark security: Two-factor sign-in was turned off"],
        "A new device signed in on your DueSpark account ({email}) on November 25, 2026 at 10:00 (UTC).",
        "Device: Firefox/133.0",
        "Open Settings → Security",
    ),
    "de": (
        ["DueSpark-Sicherheit: Ein neues Gerät hat sich angemeldet",
         "DueSpark-Sicherheit: Die Zwei-Faktor-Anmeldung wurde eingeschaltet",
         "DueSpark-Sicherheit: Die Zwei-Faktor-Anmeldung wurde ausgeschaltet"],
        "Ein neues Gerät hat sich angemeldet – Ihr DueSpark-Konto ({email}), am 25. November 2026 um 10:00 (UTC).",
        "Gerät: Firefox/133.0",
        "Einstellungen › Sicherheit öffnen",
    ),
    "fr": (
        ["Sécurité DueSpark : Un nouvel appareil s'est connecté",
         "Sécurité DueSpark : La connexion en deux étapes a été activée",
         "Sécurité DueSpark : La connexion en deux étapes a été désactivée"],
        "Un nouvel appareil s'est connecté sur votre compte DueSpark ({email}) le 25 novembre 2026 à 10:00 (UTC).",
        "Appareil : Firefox/133.0",
        "Ouvrir Paramètres › Sécurité",
    ),
    "es": (
        ["Seguridad de DueSpark: Un nuevo dispositivo inició sesión",
         "Seguridad de DueSpark: Se activó el inicio de sesión en dos pasos",
         "Seguridad de DueSpark: Se desactivó el inicio de sesión en dos pasos"],
        "Un nuevo dispositivo inició sesión en su cuenta de DueSpark ({email}) el 25 de noviembre de 2026 a las 10:00 (UTC).",
        "Dispositivo: Firefox/133.0",
        "Abrir Ajustes › Seguridad",
    ),
}  # fmt: skip


def _notices(session, email: str) -> list[Message]:
    session.expire_all()
    return list(
        session.scalars(
            select(Message).where(Message.kind == "security_notice", Message.to_email == email).order_by(Message.id)
        )
    )


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_security_emails_are_in_the_accounts_language(client, session, settings, clock, language):
    user = register(client, password=PASSWORD)
    account = session.scalars(
        select(Account)
        .join(Membership, Membership.account_id == Account.id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == user["email"])
    ).one()
    account.locale = {"en": "en", "de": "de-DE", "fr": "fr_FR", "es": "es"}[language]
    session.commit()
    # A sign-in from another browser, through the API.
    signed_in = client.post(
        "/api/auth/login", json={"email": user["email"], "password": PASSWORD}, headers={"User-Agent": "Firefox/133.0"}
    )
    assert signed_in.status_code == 200, signed_in.text
    model = session.scalars(select(User).where(User.email == user["email"])).one()
    for change in ("enabled", "disabled"):
        two_factor.notify(session, user=model, change=change, settings=settings, clock=clock)
    session.flush()
    subjects, line, device, button = EXPECTED[language]
    notices = _notices(session, user["email"])
    assert [m.subject for m in notices] == subjects
    text = notices[0].content["text"]
    paragraphs = text.split("\n\n")
    assert paragraphs[1] == line.format(email=user["email"])
    assert paragraphs[2].split("\n")[0] == device
    assert paragraphs[-1] == f"{button} ({LINK})\n"
    # The two-factor notices name no device.
    assert "Firefox" not in notices[1].content["text"]
    assert f'lang="{language}"' in notices[0].content["html"]


def test_an_unsupported_language_gets_english(client, session, settings, clock):
    user = register(client, password=PASSWORD)
    model = session.scalars(select(User).where(User.email == user["email"])).one()
    account = session.scalars(
        select(Account).join(Membership, Membership.account_id == Account.id).where(Membership.user_id == model.id)
    ).one()
    account.locale = "ja"
    two_factor.notify(session, user=model, change="enabled", settings=settings, clock=clock)
    session.flush()
    [notice] = _notices(session, user["email"])
    assert notice.subject == "DueSpark security: Two-factor sign-in was turned on"
