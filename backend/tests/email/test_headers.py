"""The raw headers every provider sends: List-Unsubscribe as RFC 2369 wants it, subjects that decode to
exactly what was composed, Auto-Submitted, Message-IDs that show no row id. No database."""

from __future__ import annotations

import email
import re
from datetime import UTC, date, datetime
from email import policy
from email.header import decode_header, make_header

import pytest

from duespark.clock import FixedClock
from duespark.email.compose import compose_invoice_email
from duespark.email.links import unsubscribe_token
from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.file import FileProvider
from duespark.email.providers.postmark import PostmarkProvider
from duespark.email.providers.ses import SesProvider
from duespark.email.statement import compose_statement
from duespark.email.test_mode import as_test_email
from duespark.models import Account, Client, Invoice
from duespark.reminders.dispatcher import message_id_for
from duespark.settings import Settings

CLOCK = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
# A real public URL of 60 characters: with it the old folder always wrote encoded words.
PUBLIC_URL = "https://billing-reminders.example-invoicing-company.com/apps"
SETTINGS = Settings(
    env="test", secret_keys=["k" * 40], public_url=PUBLIC_URL, email_from="reminders@mail.duespark.test"
)


def _account(locale: str) -> Account:
    return Account(
        id=3,
        name="Ada Design",
        sender_name="Ada Lovelace",
        sender_email="ada@ada.test",
        default_currency="EUR",
        timezone="Europe/Berlin",
        locale=locale,
        payment_instructions=None,
        test_mode=False,
    )


def _client(locale: str) -> Client:
    return Client(id=5, account_id=3, name="Jordan Miller", company="Globex", email="jordan@globex.test", locale=locale)


def _invoice(number: str, amount_minor: int, invoice_id: int = 11) -> Invoice:
    return Invoice(
        id=invoice_id,
        account_id=3,
        client_id=5,
        number=number,
        amount_minor=amount_minor,
        amount_paid_minor=0,
        currency="EUR",
        issue_date=date(2026, 10, 1),
        due_date=date(2026, 10, 20),
        status="open",
    )


def reminder(locale: str, key: str = "final", amount_minor: int = 350_000) -> OutgoingEmail:
    return compose_invoice_email(
        account=_account(locale),
        client=_client(locale),
        invoice=_invoice("INV-1", amount_minor),
        template_key=key,
        reminder_id=99,
        settings=SETTINGS,
        clock=CLOCK,
    ).email


def statement(locale: str, steps: tuple[str, ...] = ("firm", "firm")) -> OutgoingEmail:
    return compose_statement(
        account=_account(locale),
        client=_client(locale),
        invoices=[(_invoice("INV-1", 350_000, 11), 7), (_invoice("INV-2", 193_900, 12), 8)],
        settings=SETTINGS,
        clock=CLOCK,
        steps=steps,
    )


def raw_header(raw: bytes, name: str) -> bytes:
    """The header as it is on the wire, folding included."""
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    match = re.search(rb"(?im)^" + re.escape(name.encode()) + rb":.*\r\n(?:[ \t].*\r\n)*", head)
    assert match is not None, f"no {name} header"
    return match.group(0)


def expected_list_unsubscribe() -> bytes:
    token = unsubscribe_token(SETTINGS, 5)
    return (
        f"List-Unsubscribe: <{PUBLIC_URL}/unsubscribe/{token}>,\r\n"
        f" <mailto:ada@ada.test?subject=Unsubscribe%20{token}>\r\n"
    ).encode()


def assert_one_click_headers(raw: bytes) -> None:
    assert raw_header(raw, "List-Unsubscribe") == expected_list_unsubscribe()
    assert raw_header(raw, "List-Unsubscribe-Post") == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    assert raw_header(raw, "Auto-Submitted") == b"Auto-Submitted: auto-generated\r\n"
    parsed = email.message_from_bytes(raw, policy=policy.default)
    token = unsubscribe_token(SETTINGS, 5)
    assert str(parsed["List-Unsubscribe"]) == (
        f"<{PUBLIC_URL}/unsubscribe/{token}>, <mailto:ada@ada.test?subject=Unsubscribe%20{token}>"
    )


def test_the_public_url_is_sixty_characters():
    assert len(PUBLIC_URL) == 60


@pytest.mark.parametrize("compose", [reminder, statement], ids=["reminder", "statement"])
def test_file_provider_writes_list_unsubscribe_as_the_plain_rfc_2369_list(tmp_path, compose):
    for locale in ("en", "de", "fr", "es"):
        sent = compose(locale)
        result = FileProvider(tmp_path).send(sent)
        raw = (tmp_path / f"{result.provider_message_id.strip('<>').split('@')[0]}.eml").read_bytes()
        assert b"=?utf-8?q?=3Chttps" not in raw
        assert_one_click_headers(raw)


def test_ses_raw_message_carries_the_same_plain_list():
    request = SesProvider(region="eu-west-1", client=object()).request(reminder("fr"))
    assert_one_click_headers(request["Content"]["Raw"]["Data"])


def test_postmark_gets_the_header_values_unencoded():
    payload = PostmarkProvider(server_token="t", message_stream="outbound").payload(statement("de"))
    headers = {h["Name"]: h["Value"] for h in payload["Headers"]}
    token = unsubscribe_token(SETTINGS, 5)
    assert headers["List-Unsubscribe"] == (
        f"<{PUBLIC_URL}/unsubscribe/{token}>, <mailto:ada@ada.test?subject=Unsubscribe%20{token}>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"


def test_a_short_list_stays_on_one_line_and_non_ascii_in_a_url_is_percent_encoded():
    message = OutgoingEmail(
        to="a@b.test",
        from_email="r@b.test",
        from_name=None,
        subject="Hi",
        text="x",
        headers={"List-Unsubscribe": "<https://a.test/u/1>, <mailto:zoë@b.test>"},
    )
    raw = bytes(to_mime(message))
    expected = b"List-Unsubscribe: <https://a.test/u/1>, <mailto:zo%C3%AB@b.test>\r\n"
    assert raw_header(raw, "List-Unsubscribe") == expected


# Every subject decodes to exactly the composed text: the old folder wrote "3 500,00 €à régler" and
# "5.439,00  €" (a space lost, a space doubled) around the encoded euro sign.
SUBJECTS = {
    ("en", "reminder"): "Final notice: invoice INV-1, €3,500.00 outstanding",
    ("de", "reminder"): "Letzte Mahnung: Rechnung INV-1, offener Betrag 3.500,00 €",
    ("fr", "reminder"): "Dernière relance : facture INV-1, 3 500,00 € restant dus",
    ("es", "reminder"): "Último aviso: factura INV-1, 3.500,00 € pendientes",
    ("en", "statement"): "Statement: 2 overdue invoices, €5,439.00 outstanding",
    ("de", "statement"): "Kontoübersicht: 2 überfällige Rechnungen, 5.439,00 € offen",
    ("fr", "statement"): "Relevé de compte : 2 factures échues, 5 439,00 € à régler",
    ("es", "statement"): "Estado de cuenta: 2 facturas vencidas, 5.439,00 € pendientes",
}


def _decoded_both_ways(raw: bytes) -> tuple[str, str]:
    modern = email.message_from_bytes(raw, policy=policy.default)["Subject"]
    legacy = email.message_from_bytes(raw)["Subject"]
    return str(modern), str(make_header(decode_header(legacy)))


def test_subjects_decode_exactly_in_every_language_and_in_test_mode():
    for (locale, kind), expected in SUBJECTS.items():
        composed = reminder(locale) if kind == "reminder" else statement(locale)
        assert composed.subject == expected
        raw = bytes(to_mime(composed))
        assert _decoded_both_ways(raw) == (expected, expected), (locale, kind)
        test_copy = as_test_email(composed, recipient="ada@ada.test", client_email="jordan@globex.test")
        raw = bytes(to_mime(test_copy))
        assert _decoded_both_ways(raw) == (f"[TEST] {expected}", f"[TEST] {expected}"), (locale, kind)
        # The header starts right after "Subject: ", no folding space or empty word before the text.
        assert re.match(rb"Subject: (\[TEST\]|=\?utf-8\?q\?=5BTEST=5D_)", raw_header(raw, "Subject"))
        for line in raw_header(raw, "Subject").split(b"\r\n"):
            assert len(line) <= 76


def test_a_subject_in_utf8_needs_no_encoding_and_an_ascii_one_is_written_as_is():
    message = OutgoingEmail(to="a@b.test", from_email="r@b.test", from_name=None, subject="Invoice INV-1", text="x")
    assert raw_header(bytes(to_mime(message)), "Subject") == b"Subject: Invoice INV-1\r\n"
    # A literal "=?" in an ASCII subject is encoded, so no reader decodes it as an encoded word.
    tricky = OutgoingEmail(to="a@b.test", from_email="r@b.test", from_name=None, subject="a =?x?q?y?= b", text="x")
    assert _decoded_both_ways(bytes(to_mime(tricky))) == ("a =?x?q?y?= b", "a =?x?q?y?= b")


def test_message_ids_show_no_row_id_and_a_reminder_keeps_one_id_across_attempts():
    key = SETTINGS.signing_keys[0]
    first = message_id_for(1234, "reminders@mail.duespark.test", key=key)
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.duespark\.test>", first)
    assert "1234" not in first and "reminder" not in first
    assert message_id_for(1234, "reminders@mail.duespark.test", key=key) == first  # a resend is the same message
    assert message_id_for(1235, "reminders@mail.duespark.test", key=key) != first
    assert message_id_for(1234, "reminders@mail.duespark.test", key="another-key" * 4) != first
    composed = reminder("en")
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.duespark\.test>", composed.headers["Message-ID"])
