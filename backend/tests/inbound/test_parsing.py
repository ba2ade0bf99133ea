"""Reading inbound mail: the reply alone in four languages and three mail programs, kinds, HTML, files."""

from __future__ import annotations

import pytest

from duespark.inbound.parsing import UnreadableMail, parse_mime, sanitize_html
from tests.inbound import mails

TO = "reply+i1-000000000000000000000000@in.duespark.test"
LANGS = ("en", "de", "fr", "es")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("program", [mails.gmail, mails.outlook, mails.apple_mail])
def test_the_reply_alone_without_history_or_signature(program, lang):
    mail = parse_mime(program(lang, to=TO))
    assert mail.kind == "reply"
    assert mail.text == mails.REPLY[lang]
    assert mail.from_email == "john@globex.test"
    assert TO in mail.recipients


def test_outlook_inline_image_and_apple_mail_pdf_are_listed_with_their_bytes():
    outlook = parse_mime(mails.outlook("en", to=TO))
    assert [(a.filename, a.content_type, a.size, a.inline, a.content_id) for a in outlook.attachments] == [
        ("image001.png", "image/png", len(mails.PNG), True, "<image001.png@01DA>")
    ]
    apple = parse_mime(mails.apple_mail("de", to=TO))
    assert [(a.filename, a.content_type, a.inline) for a in apple.attachments] == [
        ("remittance-4411.pdf", "application/pdf", False)
    ]
    assert apple.attachments[0].content == b"%PDF-1.4 remittance advice 4411\n"


@pytest.mark.parametrize("lang", LANGS)
def test_out_of_office_by_header_and_by_subject_alone(lang):
    assert parse_mime(mails.out_of_office(lang, to=TO)).kind == "auto_reply"
    assert parse_mime(mails.out_of_office(lang, to=TO, auto_header=False)).kind == "auto_reply"


@pytest.mark.parametrize(
    "header", ["X-Autoreply: yes", "Precedence: bulk", "Precedence: auto_reply", "Auto-Submitted: auto-generated"]
)
def test_automatic_headers_mark_an_auto_reply(header):
    raw = mails.gmail("en", to=TO).replace(b"Subject:", header.encode() + b"\r\nSubject:", 1)
    assert parse_mime(raw).kind == "auto_reply"


def test_auto_submitted_no_is_a_person():
    raw = mails.gmail("en", to=TO).replace(b"Subject:", b"Auto-Submitted: no\r\nSubject:", 1)
    assert parse_mime(raw).kind == "reply"


def test_a_delivery_report_is_a_bounce_with_its_recipient_and_returned_message():
    mail = parse_mime(mails.delivery_report(to=TO, returned_message_id="<abc@mail.duespark.test>"))
    assert mail.kind == "bounce"
    assert [(b.recipient, b.status) for b in mail.bounced] == [("gone@globex.test", "5.1.1")]
    assert mail.bounced_message_id == "<abc@mail.duespark.test>"


def test_html_with_scripts_is_sanitized_exactly():
    hostile = (
        '<p onclick="steal()">Paid <b>today</b><script>alert(1)</script><img src="https://t.example/p.gif">'
        '<a href="javascript:alert(2)">x</a><a href="https://bank.example/r">receipt</a><style>p{}</style>'
        '<iframe src="https://e.example"></iframe></p>'
    )
    assert sanitize_html(hostile) == (
        '<p>Paid <b>today</b><a rel="noopener noreferrer nofollow">x</a>'
        '<a href="https://bank.example/r" rel="noopener noreferrer nofollow">receipt</a></p>'
    )


def test_an_html_only_mail_gets_its_text_from_the_html_and_keeps_no_script():
    raw = (
        b"From: John <john@globex.test>\r\nTo: " + TO.encode() + b"\r\nSubject: Re: INV-1\r\n"
        b"Message-ID: <h@globex.test>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Paid &amp; done<script>alert(1)</script></p><p>John</p>"
    )
    mail = parse_mime(raw)
    assert mail.text == "Paid & done\nJohn"
    assert mail.html == "<p>Paid &amp; done</p><p>John</p>"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"Subject: no sender\r\n\r\nhello",
        b"From: nobody\r\nSubject: x\r\n\r\nbody",
    ],
)
def test_mail_without_a_sender_is_unreadable(raw):
    with pytest.raises(UnreadableMail):
        parse_mime(raw)


def test_malformed_mime_is_read_as_far_as_it_goes():
    raw = (
        b"From: john@globex.test\r\nTo: " + TO.encode() + b"\r\nSubject: =?utf-8?q?broken=ZZ?=\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
        b"Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!!not base64!!!\r\n"
    )
    mail = parse_mime(raw)
    assert mail.kind == "reply"
    assert mail.from_email == "john@globex.test"


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"inbound_domain": "replies.example.org"}, "replies cannot come in"),
        ({"inbound_domain": "reply@acme"}, "is not a domain name"),
        ({"inbound_webhook_username": "inbound"}, "must be set together"),
    ],
)
def test_check_config_names_what_inbound_email_is_missing(tmp_path, overrides, problem):
    from duespark.settings import inbound_problems
    from tests.conftest import make_test_settings

    assert any(problem in p for p in inbound_problems(make_test_settings(tmp_path, "sqlite://", **overrides)))
    ready = make_test_settings(
        tmp_path, "sqlite://", inbound_domain="replies.example.org", inbound_sns_topic_arns=["arn:aws:sns:x"]
    )
    assert inbound_problems(ready) == []
