"""One-click unsubscribe (RFC 8058): the link in every reminder, without sign-in."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from duespark.email.compose import compose_reminder
from duespark.email.links import unsubscribe_token
from duespark.email.outbox import send_queued_messages
from duespark.invoices.service import apply_payment
from duespark.models import Client, Membership, Message, User
from duespark.notices import service as notices
from duespark.signing import sign_token
from tests.helpers import make_account, make_client, make_invoice, register


def _setup(session, clock, **client_fields):
    account = make_account(session, clock=clock, name="Ada Design")
    account.test_mode = False
    client = make_client(session, account=account, clock=clock, **client_fields)
    return account, client


def _unsubscribe_path(email) -> str:
    https_link = email.headers["List-Unsubscribe"].split(", ")[0].strip("<>")
    return urlsplit(https_link).path


def test_the_page_asks_and_changes_nothing(client, session, clock, settings):
    _account, customer = _setup(session, clock, locale="fr")
    response = client.get(f"/unsubscribe/{unsubscribe_token(settings, customer.id)}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in response.text and "Me désinscrire" in response.text
    assert "Ada Design" in response.text
    session.expire_all()
    assert session.get(Client, customer.id).unsubscribed_at is None


def test_one_click_post_from_the_email_header_unsubscribes(client, session, clock, settings, unsubscribed_events):
    account, customer = _setup(session, clock)
    invoice = make_invoice(session, client=customer, clock=clock)
    email = compose_reminder(
        account=account,
        client=customer,
        invoice=invoice,
        template_key="firm",
        reminder_id=3,
        settings=settings,
        clock=clock,
    )
    path = _unsubscribe_path(email)
    assert path in email.text and path in email.html
    response = client.post(
        path, content="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    session.expire_all()
    assert session.get(Client, customer.id).unsubscribed_at == clock.now()
    assert unsubscribed_events.calls == [([customer.id], "unsubscribed")]
    # Again: still fine, nothing new published, the first date kept.
    clock.advance(hours=1)
    assert client.post(path).status_code == 200
    assert unsubscribed_events.calls == [([customer.id], "unsubscribed")]
    session.expire_all()
    assert session.get(Client, customer.id).unsubscribed_at == clock.now() - timedelta(hours=1)
    # The user sees it on the client.
    page = client.get(f"/unsubscribe/{unsubscribe_token(settings, customer.id)}")
    assert "You are unsubscribed" in page.text


def test_one_click_stops_the_pending_emails(client, session, session_factory, clock, settings, provider):
    _account, customer = _setup(session, clock)
    invoice = make_invoice(session, client=customer, clock=clock)
    apply_payment(
        session, invoice=invoice, amount_minor=invoice.amount_minor, method="manual", paid_at=clock.now(), clock=clock
    )
    session.flush()
    assert client.post(f"/unsubscribe/{unsubscribe_token(settings, customer.id)}").status_code == 200
    # Only the note to the account's owner goes; the thank-you to the client does not.
    assert send_queued_messages(session_factory, provider=provider, settings=settings, clock=clock) == 1
    assert [email.to for email in provider.sent] == [owner_address(session, customer)]
    session.expire_all()
    [message] = session.scalars(select(Message).where(Message.client_id == customer.id, Message.kind == "thank_you"))
    assert (message.status, message.error) == ("canceled", "unsubscribed")


def test_forged_and_foreign_tokens_change_nothing(client, session, clock, settings, unsubscribed_events):
    _account, customer = _setup(session, clock)
    good = unsubscribe_token(settings, customer.id)
    other_value = unsubscribe_token(settings, customer.id + 1).split(".")[0]
    forged = f"{other_value}.{good.split('.')[1]}"
    pay_purpose = sign_token(settings, "pay", customer.id)
    unknown_client = unsubscribe_token(settings, 987_654)
    for token in (forged, pay_purpose, unknown_client, "garbage", good[:-2]):
        assert client.post(f"/unsubscribe/{token}").status_code == 404, token
        page = client.get(f"/unsubscribe/{token}")
        assert page.status_code == 404 and "not valid" in page.text
    session.expire_all()
    assert session.get(Client, customer.id).unsubscribed_at is None
    assert unsubscribed_events.calls == []


def test_unsubscribed_shows_on_the_client_in_the_api(client, session, clock, settings):
    user = register(client)
    created = client.post(
        "/api/clients", headers=user["headers"], json={"name": "Globex", "email": "billing@globex.com"}
    )
    client_id = created.json()["id"]
    client.post(f"/unsubscribe/{unsubscribe_token(settings, client_id)}")
    body = client.get(f"/api/clients/{client_id}", headers=user["headers"]).json()
    assert body["unsubscribed_at"] is not None
    # The app says why reminders stopped, on the client and in the list.
    reason = (
        "Globex unsubscribed from payment reminders on 2026-11-25: DueSpark sends this client no more "
        "automatic reminders. Follow up in person about open invoices."
    )
    assert body["reminders_stopped_reason"] == reason
    [listed] = client.get("/api/clients", headers=user["headers"]).json()["items"]
    assert listed["reminders_stopped_reason"] == reason
    other = client.post("/api/clients", headers=user["headers"], json={"name": "Initech"}).json()
    assert other["reminders_stopped_reason"] is None


def owner_address(session, customer) -> str:
    return session.scalar(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == customer.account_id, Membership.role == "owner")
    )


NOTICE = {
    "en": (
        "Globex unsubscribed: automatic reminders to this client have stopped",
        "Globex (billing@globex.test) used the unsubscribe link in one of your payment reminders on November 25, "
        "2026. DueSpark honours that request: no more automatic reminders go to this client, and the ones that "
        "were planned have been canceled.",
        "Globex still has 2 open invoices (€2,500.00 in total). Please follow up in person, with a call or a "
        "personal email, so the payments do not fall through the cracks.",
    ),
    "de": (
        "Globex hat sich abgemeldet: keine automatischen Erinnerungen mehr an diesen Kunden",
        "Globex (billing@globex.test) hat am 25. November 2026 den Abmeldelink in einer Ihrer "
        "Zahlungserinnerungen genutzt.",
        "Globex hat noch 2 offene Rechnungen (insgesamt 2.500,00\u00a0€). Bitte haken Sie persönlich nach",
    ),
    "fr": (
        # Subjects are one line of plain spaces (the no-break space before the colon included).
        "Globex s'est désinscrit : plus de rappels automatiques pour ce client",
        "Globex (billing@globex.test) a utilisé le lien de désinscription d'un de vos rappels de paiement le "
        "25 novembre 2026.",
        "Globex a encore 2 factures impayées (2\u202f500,00\u00a0€ au total). Relancez-le vous-même",
    ),
    "es": (
        "Globex se ha dado de baja: se detienen los recordatorios automáticos a este cliente",
        "Globex (billing@globex.test) usó el enlace para darse de baja de uno de sus recordatorios de pago el "
        "25 de noviembre de 2026.",
        "Globex todavía tiene 2 facturas pendientes (2.500,00\u00a0€ en total). Haga el seguimiento en persona",
    ),
}


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_one_click_unsubscribe_tells_the_owner_at_once_by_email(
    client, session, session_factory, clock, settings, provider, language
):
    account, customer = _setup(session, clock, email="billing@globex.test")
    account.locale = language
    for _ in range(2):
        make_invoice(session, client=customer, clock=clock, due_in_days=-20)
    make_invoice(session, client=customer, clock=clock, status="paid")  # not counted as open
    session.flush()
    path = f"/unsubscribe/{unsubscribe_token(settings, customer.id)}"
    assert client.post(path, content="List-Unsubscribe=One-Click").status_code == 200
    session.expire_all()
    [queued] = session.scalars(select(Message).where(Message.kind == "client_unsubscribed"))
    owner = owner_address(session, customer)
    assert (queued.status, queued.client_id, queued.to_email) == ("queued", customer.id, owner)
    # A second click (mail programs retry) tells no one twice.
    assert client.post(path).status_code == 200
    assert send_queued_messages(session_factory, provider=provider, settings=settings, clock=clock) == 1
    [notice] = provider.sent
    subject, first, second = NOTICE[language]
    assert notice.subject == subject
    flat = notice.text.replace("\n", " ")
    assert first in flat and second in flat, flat
    assert f"{settings.public_url}/clients/{customer.id}" in notice.text
    assert notice.headers["Auto-Submitted"] == "auto-generated"
    session.expire_all()
    assert session.get(Client, customer.id).unsubscribed_at == clock.now()
    # ... and in the app, where the user looks first.
    [shown] = [n for n in notices.active(session, account_id=account.id) if n.kind == "client_unsubscribed"]
    assert shown.message.startswith(f"{customer.name} unsubscribed from payment reminders on ")
    assert "with 2 open invoices" in shown.message and "follow up in person" in shown.message
    assert shown.count == 1
