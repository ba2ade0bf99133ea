"""Inbound mails shaped like Gmail, Outlook and Apple Mail replies (en, de, fr, es), an out-of-office,
a delivery report, and a hostile HTML mail: built with Python's email package as those programs
lay them out (multipart/alternative, a related inline image, quoted history, signatures)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
SENT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
QUOTED = "Hello John,\nInvoice INV-1 for 1,250.00 EUR was due on 20 November.\nKind regards, Acme Studio"

# The newest reply each client writes, in each language, and how each program quotes the previous mail.
REPLY = {
    "en": "Hi Ada,\n\nWe paid it yesterday by bank transfer, reference 4411.\nSorry for the delay.",
    "de": "Hallo Ada,\n\nwir haben gestern überwiesen, Verwendungszweck 4411.\nEntschuldigung für die Verspätung.",
    "fr": "Bonjour Ada,\n\nNous avons payé hier par virement, référence 4411.\nDésolé pour le retard.",
    "es": "Hola Ada,\n\nPagamos ayer por transferencia, referencia 4411.\nPerdón por el retraso.",
}
SIGNATURE = {
    "en": "Best regards,\nJohn Smith\nAccounts Payable, Globex",
    "de": "Mit freundlichen Grüßen\nJohn Smith\nBuchhaltung, Globex",
    "fr": "Cordialement,\nJohn Smith\nComptabilité, Globex",
    "es": "Saludos cordiales,\nJohn Smith\nContabilidad, Globex",
}
GMAIL_HEADER = {
    "en": "On Wed, 25 Nov 2026 at 10:00, Acme Studio <{to}> wrote:",
    "de": "Am Mi., 25. Nov. 2026 um 10:00 Uhr schrieb Acme Studio <{to}>:",
    "fr": "Le mer. 25 nov. 2026 à 10:00, Acme Studio <{to}> a écrit :",
    "es": "El mié, 25 nov 2026 a las 10:00, Acme Studio (<{to}>) escribió:",
}
OUTLOOK_HEADER = {
    "en": "From: Acme Studio <{to}>\nSent: Wednesday, November 25, 2026 10:00 AM\nTo: John Smith\nSubject: {subject}",
    "de": "Von: Acme Studio <{to}>\nGesendet: Mittwoch, 25. November 2026 10:00\nAn: John Smith\nBetreff: {subject}",
    "fr": "De : Acme Studio <{to}>\nEnvoyé : mercredi 25 novembre 2026 10:00\nÀ : John Smith\nObjet : {subject}",
    "es": (
        "De: Acme Studio <{to}>\nEnviado: miércoles, 25 de noviembre de 2026 10:00\nPara: John Smith\nAsunto: {subject}"
    ),
}
APPLE_HEADER = {
    "en": "On 25 Nov 2026, at 10:00, Acme Studio <{to}> wrote:",
    "de": "Am 25.11.2026 um 10:00 schrieb Acme Studio <{to}>:",
    "fr": "Le 25 nov. 2026 à 10:00, Acme Studio <{to}> a écrit :",
    "es": "El 25 nov 2026, a las 10:00, Acme Studio <{to}> escribió:",
}
FROM_IPHONE = {
    "en": "Sent from my iPhone",
    "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone",
    "es": "Enviado desde mi iPhone",
}
OUT_OF_OFFICE = {
    "en": ("Automatic reply: {subject}", "I am out of the office until 1 December."),
    "de": ("Abwesenheitsnotiz: {subject}", "Ich bin bis zum 1. Dezember nicht im Büro."),
    "fr": ("Réponse automatique : {subject}", "Je suis absent du bureau jusqu'au 1er décembre."),
    "es": ("Respuesta automática: {subject}", "Estoy fuera de la oficina hasta el 1 de diciembre."),
}


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def _base(*, to: str, subject: str, in_reply_to: str | None, message_id: str, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=SMTP)
    mail["From"] = f"John Smith <{sender}>"
    mail["To"] = f"Acme Studio <{to}>"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(SENT)
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    return mail


def gmail(
    lang: str,
    *,
    to: str,
    subject: str = "Re: Invoice INV-1 is overdue",
    in_reply_to: str | None = None,
    message_id: str = "<CAJx8=gmail-1@mail.gmail.com>",
    sender: str = "john@globex.test",
) -> bytes:
    """Gmail: text and HTML alternatives; the history below "On ... wrote:" quoted with `>`."""
    mail = _base(to=to, subject=subject, in_reply_to=in_reply_to, message_id=message_id, sender=sender)
    header = GMAIL_HEADER[lang].format(to=to)
    text = f"{REPLY[lang]}\n\n{SIGNATURE[lang]}\n\n{header}\n\n{_quote(QUOTED)}\n"
    mail.set_content(text)
    body = REPLY[lang].replace("\n", "<br>")
    mail.add_alternative(
        f'<div dir="ltr">{body}<br><br>{SIGNATURE[lang].replace(chr(10), "<br>")}</div><br>'
        f'<div class="gmail_quote"><div class="gmail_attr">{header}</div>'
        f'<blockquote class="gmail_quote">{QUOTED}</blockquote></div>',
        subtype="html",
    )
    return mail.as_bytes()


def outlook(
    lang: str,
    *,
    to: str,
    subject: str = "RE: Invoice INV-1 is overdue",
    in_reply_to: str | None = None,
    message_id: str = "<AM0PR01MB1234@AM0PR01MB1234.eurprd01.prod.outlook.com>",
    sender: str = "john@globex.test",
) -> bytes:
    """Outlook: the history under a rule and a From/Sent/To/Subject block, not quoted; an inline logo."""
    mail = _base(to=to, subject=subject, in_reply_to=in_reply_to, message_id=message_id, sender=sender)
    header = OUTLOOK_HEADER[lang].format(to=to, subject="Invoice INV-1 is overdue")
    text = f"{REPLY[lang]}\n\n{SIGNATURE[lang]}\n\n________________________________\n{header}\n\n{QUOTED}\n"
    mail.set_content(text)
    mail.add_alternative(
        f'<html><body><p>{REPLY[lang].replace(chr(10), "<br>")}</p><img src="cid:image001.png@01DA">'
        f"<hr><p>{header.replace(chr(10), '<br>')}</p><p>{QUOTED}</p></body></html>",
        subtype="html",
    )
    html_part = mail.get_payload()[1]
    html_part.add_related(PNG, "image", "png", cid="<image001.png@01DA>", filename="image001.png", disposition="inline")
    return mail.as_bytes()


def apple_mail(
    lang: str,
    *,
    to: str,
    subject: str = "Re: Invoice INV-1 is overdue",
    in_reply_to: str | None = None,
    message_id: str = "<8F2A1C3E-1B2C-4D5E-9F00-ABCDEF012345@globex.test>",
    sender: str = "john@globex.test",
) -> bytes:
    """Apple Mail on an iPhone: "Sent from my iPhone", the history as a quoted block; a PDF attached."""
    mail = _base(to=to, subject=subject, in_reply_to=in_reply_to, message_id=message_id, sender=sender)
    header = APPLE_HEADER[lang].format(to=to)
    mail.set_content(f"{REPLY[lang]}\n\n{FROM_IPHONE[lang]}\n\n{header}\n\n{_quote(QUOTED)}\n")
    mail.add_attachment(
        b"%PDF-1.4 remittance advice 4411\n", maintype="application", subtype="pdf", filename="remittance-4411.pdf"
    )
    return mail.as_bytes()


def out_of_office(lang: str, *, to: str, auto_header: bool = True, message_id: str = "<ooo-1@globex.test>") -> bytes:
    subject, body = OUT_OF_OFFICE[lang]
    mail = _base(
        to=to,
        subject=subject.format(subject="Invoice INV-1 is overdue"),
        in_reply_to=None,
        message_id=message_id,
        sender="john@globex.test",
    )
    if auto_header:
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(body)
    return mail.as_bytes()


def delivery_report(*, to: str, returned_message_id: str, recipient: str = "gone@globex.test") -> bytes:
    """A DSN (RFC 3464) from a mail server, sent to the reply address: a hard bounce of our reminder."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = "Mail Delivery Subsystem <mailer-daemon@mx.globex.test>"
    mail["To"] = to
    mail["Subject"] = "Undelivered Mail Returned to Sender"
    mail["Message-ID"] = "<dsn-1@mx.globex.test>"
    mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(f"Your message to {recipient} could not be delivered.")
    mail.make_mixed()
    status = EmailMessage()
    status.set_payload(
        f"Reporting-MTA: dns; mx.globex.test\n\nFinal-Recipient: rfc822; {recipient}\nAction: failed\n"
        "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n"
    )
    mail.attach(_part("message/delivery-status", status.get_payload()))
    mail.attach(_part("text/rfc822-headers", f"Message-ID: {returned_message_id}\nSubject: Invoice overdue\n"))
    mail.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="dsn-boundary"')
    mail.set_boundary("dsn-boundary")
    return mail.as_bytes()


def _part(content_type: str, payload: str):
    from email import message_from_string

    return message_from_string(f"Content-Type: {content_type}\n\n{payload}", policy=SMTP)
