"""The SMTP provider against a real SMTP server (aiosmtpd) started by the test: STARTTLS, TLS, AUTH."""

from __future__ import annotations

import email
import socket
import ssl
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import PermanentSendError, SendResult, TransientSendError
from duespark.email.providers.smtp import SmtpProvider
from tests.email.certs import pem_files, self_signed

USER, PASSWORD = "mailer", "s3cret-pass"


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        if address.startswith("greylisted@"):
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    key, certificate = self_signed("localhost")
    key_file, cert_file = pem_files(tmp_path_factory.mktemp("smtp-tls"), key, certificate)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=cert_file)
    return server, client


@pytest.fixture
def starttls_server(tls):
    recorder = Recorder()
    port = _free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls[0],
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield recorder, port
    controller.stop()


def _provider(port: int, client_tls, *, security="starttls", password=PASSWORD) -> SmtpProvider:
    return SmtpProvider(
        host="127.0.0.1",
        port=port,
        username=USER,
        password=password,
        security=security,
        timeout=5,
        ssl_context=client_tls,
    )


def _message(to: str = "client@globex.test") -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        from_email="reminders@mail.duespark.test",
        from_name="Ada Lovelace",
        subject="Rechnung 2026-017 ist heute fällig",
        text="Guten Tag,\n\nbitte zahlen Sie: https://app.test/pay/x\n",
        html="<p>Guten Tag,</p><p><a href='https://app.test/pay/x'>Bezahlen</a></p>",
        reply_to="ada@ada.test",
        headers={
            "Message-ID": "<abc123@mail.duespark.test>",
            "List-Unsubscribe": "<https://app.test/unsubscribe/t>, <mailto:ada@ada.test?subject=Unsubscribe%20t>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        tag="due_today",
    )


def test_round_trip_over_starttls_with_auth(starttls_server, tls):
    recorder, port = starttls_server
    result = _provider(port, tls[1]).send(_message())
    assert result == SendResult(provider_message_id="<abc123@mail.duespark.test>")
    [(mail_from, rcpt_tos, raw)] = recorder.messages
    assert mail_from == "reminders@mail.duespark.test"
    assert rcpt_tos == ["client@globex.test"]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["From"] == "Ada Lovelace <reminders@mail.duespark.test>"
    assert parsed["Reply-To"] == "ada@ada.test"
    assert parsed["Subject"] == "Rechnung 2026-017 ist heute fällig"
    assert parsed["Message-ID"] == "<abc123@mail.duespark.test>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Unsubscribe"].startswith("<https://app.test/unsubscribe/t>")
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.get_payload()
    assert text.get_content_type() == "text/plain" and "bitte zahlen Sie" in text.get_content()
    assert html.get_content_type() == "text/html" and "Bezahlen" in html.get_content()


def test_one_connection_sends_a_batch_and_a_refused_recipient_fails_alone(starttls_server, tls):
    recorder, port = starttls_server
    outcomes = _provider(port, tls[1]).send_batch(
        [_message("a@globex.test"), _message("nobody@globex.test"), _message("greylisted@x.test"), _message("b@x.test")]
    )
    assert isinstance(outcomes[0], SendResult) and isinstance(outcomes[3], SendResult)
    assert isinstance(outcomes[1], PermanentSendError) and "550" in str(outcomes[1])
    assert isinstance(outcomes[2], TransientSendError) and "451" in str(outcomes[2])
    assert [m[1] for m in recorder.messages] == [["a@globex.test"], ["b@x.test"]]


def test_wrong_password_is_transient_and_sends_nothing(starttls_server, tls):
    recorder, port = starttls_server
    with pytest.raises(TransientSendError, match="authentication"):
        _provider(port, tls[1], password="wrong").send(_message())
    assert recorder.messages == []


def test_untrusted_certificate_is_refused(starttls_server):
    _recorder, port = starttls_server
    with pytest.raises(TransientSendError, match="CERTIFICATE_VERIFY_FAILED"):
        _provider(port, ssl.create_default_context()).send(_message())


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(tls):
    recorder = Recorder()
    port = _free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        ssl_context=tls[0],
        authenticator=_authenticator,
        auth_required=True,
        # aiosmtpd cannot tell an implicit-TLS socket from a plain one; the connection is encrypted.
        auth_require_tls=False,
    )
    controller.start()
    try:
        _provider(port, tls[1], security="tls").send(_message())
    finally:
        controller.stop()
    assert len(recorder.messages) == 1


def test_server_down_is_transient():
    with pytest.raises(TransientSendError, match="connection"):
        _provider(_free_port(), ssl.create_default_context(), security="none").send(_message())


def test_smtp_sends_list_unsubscribe_plain_and_the_subject_exact(starttls_server, tls):
    """The raw bytes the server received: the RFC 2369 list, never RFC 2047 words, with a 60-character URL."""
    from tests.email.test_headers import assert_one_click_headers, raw_header, statement

    recorder, port = starttls_server
    _provider(port, tls[1]).send(statement("fr", steps=("final",)))
    [(_, _, raw)] = recorder.messages
    assert_one_click_headers(raw)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Dernière relance : 2 factures échues, 5 439,00 € restant dus"
    assert raw_header(raw, "Subject").startswith(b"Subject: =?utf-8?q?Derni=C3=A8re_relance_")
