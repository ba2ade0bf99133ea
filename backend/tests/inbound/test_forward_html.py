"""The forward of a reply to the owner: text, an HTML part cleaned by nh3, and the kept files within the
provider's size limit, byte for byte."""

from __future__ import annotations

from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.models import Message
from tests.inbound import mails
from tests.inbound.test_inbound_api import AUTH, _replies, postmark_payload


def _forward(session) -> Message:
    [row] = _replies(session)
    return session.get(Message, row.forwarded_message_id)


def _expected_html(owner, *, body: str, files: str, sender="John Smith &lt;john@globex.test&gt;", subject=None) -> str:
    link = f"http://testserver/invoices/{owner.invoice.id}"
    return (
        f"<p>{sender} replied about invoice {owner.invoice.number}.<br>Reminders for it wait 3 days.</p>"
        f"<p><strong>Subject:</strong> {subject or 'Re: Invoice INV-1 is overdue'}</p>"
        f"<blockquote>{body}</blockquote>" + files + "<p>Answer here (it goes to the client), or in DueSpark: "
        f'<a href="{link}" rel="noopener noreferrer nofollow">{link}</a></p>'
    )


def test_the_forward_gets_the_clients_html_and_the_kept_file(client, session, owner):
    response = client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    assert response.json()["status"] == "filed"
    forward = _forward(session)
    email = OutgoingEmail.from_dict(forward.content)
    assert email.html == _expected_html(
        owner,
        body="<p>We paid it yesterday.</p>",
        files="<p><strong>Attachments:</strong></p><ul><li>remittance.pdf (13 bytes)</li>"
        "<li>scan.tiff (5000 bytes) (not attached)</li></ul>",
    )
    assert [(a.file_name, a.content_type, a.data) for a in email.attachments] == [
        ("remittance.pdf", "application/pdf", b"%PDF-1.4 4411")
    ]
    # The text part is as before.
    assert email.text.endswith(
        "Attachments:\n- remittance.pdf (13 bytes)\n- scan.tiff (5000 bytes)\n\n"
        f"Answer here (it goes to the client), or in DueSpark: http://testserver/invoices/{owner.invoice.id}\n"
    )
    # What goes out: text, HTML and the PDF, in one multipart message.
    mime = to_mime(email)
    assert [p.get_content_type() for p in mime.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    pdf = next(p for p in mime.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == "remittance.pdf" and pdf.get_payload(decode=True) == b"%PDF-1.4 4411"


def test_a_text_only_reply_is_quoted_escaped_in_the_html(client, session, owner):
    text = "We paid <b>today</b> & tomorrow.\nThanks,\nJohn"
    payload = postmark_payload(
        owner, text=text, HtmlBody="", Attachments=[], FromName='<img src=x onerror="alert(1)">', Subject="<script>x"
    )
    payload["StrippedTextReply"] = text
    response = client.post("/api/inbound/postmark", json=payload, auth=AUTH)
    assert response.json()["status"] == "filed", response.text
    [row] = _replies(session)
    assert (row.html, row.text) == (None, "We paid <b>today</b> & tomorrow.")  # the signature is cut
    email = OutgoingEmail.from_dict(_forward(session).content)
    assert email.html == _expected_html(
        owner,
        body="<p>We paid &lt;b&gt;today&lt;/b&gt; &amp; tomorrow.</p>",
        files="",
        sender=row_sender(row),
        subject="&lt;script&gt;x",
    )
    assert email.attachments == ()


def row_sender(row) -> str:
    import html

    from duespark.inbound.parsing import display_address

    return html.escape(display_address(row.from_name, row.from_email))


def test_files_that_would_pass_the_limit_are_listed_not_attached(app, client, session, owner):
    app.state.settings.smtp_max_message_bytes = 64 * 1024  # less than the room the body needs
    response = client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    assert response.json()["status"] == "filed"
    email = OutgoingEmail.from_dict(_forward(session).content)
    assert email.attachments == ()
    assert (
        "<ul><li>remittance.pdf (13 bytes) (not attached)</li><li>scan.tiff (5000 bytes) (not attached)</li></ul>"
        in email.html
    )


def test_a_raw_mime_reply_forwards_its_html_and_file(client, session, owner):
    response = client.post("/api/inbound/raw", content=mails.apple_mail("fr", to=owner.address), auth=AUTH)
    assert response.json()["status"] == "filed"
    [row] = _replies(session)
    email = OutgoingEmail.from_dict(_forward(session).content)
    assert [a.file_name for a in email.attachments] == [a["filename"] for a in row.attachments if a["kept"]]
    assert email.html is not None and "<script" not in email.html
    [kept] = [a for a in row.attachments if a["kept"]]
    assert [(a.file_name, len(a.data)) for a in email.attachments] == [(kept["filename"], kept["size"])]


def test_text_paragraphs_and_lines_in_the_html():
    from duespark.inbound.forward import _paragraphs

    assert (
        _paragraphs("Paid today.\r\nRef <4411>\n\n\n  Thanks  \n")
        == "<p>Paid today.<br>Ref &lt;4411&gt;</p><p>Thanks</p>"
    )
