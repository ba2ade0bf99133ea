"""The RFC 5322 form of an OutgoingEmail, shared by the file, SMTP and SES providers."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from duespark.email.message import OutgoingEmail


def message_id_for(from_email: str) -> str:
    domain = from_email.rsplit("@", 1)[-1] or "duespark.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


def to_mime(message: OutgoingEmail) -> EmailMessage:
    """multipart/alternative (text, then HTML) when there is an HTML part; the Message-ID the composer
    chose is kept, or one is made on the sender's domain."""
    mime = EmailMessage()
    mime["From"] = formataddr((message.from_name or "", message.from_email))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False, usegmt=True)
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    headers = dict(message.headers)
    mime["Message-ID"] = headers.pop("Message-ID", None) or message_id_for(message.from_email)
    for name, value in headers.items():
        mime[name] = value
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime
