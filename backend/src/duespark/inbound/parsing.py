"""An inbound email, read once: who sent it, what it answers, the reply alone, its files, its kind.

Everything here is pure (bytes in, values out). Nothing unsanitized leaves: the HTML is cleaned with
nh3 (no scripts, styles, event handlers or remote images) and the text is the newest reply only,
its quoted history and signature cut with mail-parser-reply in English, German, French and Spanish.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

import nh3
from mailparser_reply import EmailReplyParser

LANGUAGES = ["en", "de", "fr", "es"]
MAX_TEXT = 100_000  # characters of a reply kept; a longer one is cut (the original is the client's)
MAX_HEADER = 998
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")

# RFC 3834 and the headers mail programs set on answers no person wrote.
AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
# Subjects of out-of-office and automatic replies in the four languages, in Outlook, Gmail and Apple Mail.
AUTO_SUBJECT = re.compile(
    r"^\s*("
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from (the )?office|on vacation|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|nicht im büro|"
    r"absence du bureau|réponse automatique|reponse automatique|absent du bureau|"
    r"respuesta automática|respuesta automatica|fuera de la oficina|ausente|fuera de oficina"
    r")\b",
    re.IGNORECASE,
)
BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification \(failure\)|mail delivery failed|returned mail|"
    r"unzustellbar|non remis|no se puede entregar)",
    re.IGNORECASE,
)
# Allowed HTML: nh3's safe defaults without images (remote ones track the reader, cid: ones are listed).
_HTML_TAGS = nh3.ALLOWED_TAGS - {"img"}
_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    content_id: str | None
    inline: bool
    content: bytes


@dataclass(frozen=True)
class Bounced:
    recipient: str
    status: str
    diagnostic: str


@dataclass
class ParsedMail:
    from_email: str
    from_name: str | None
    subject: str
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    recipients: list[str]
    text: str
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)
    kind: str = "reply"
    bounced: list[Bounced] = field(default_factory=list)
    # The Message-ID of the email a bounce returns (from its text/rfc822-headers part).
    bounced_message_id: str | None = None
    raw_size: int = 0
    digest: str = ""


class UnreadableMail(ValueError):
    """The bytes are not an email we can file (no sender, nothing in it)."""


def message_ids(value: str | None) -> list[str]:
    """`<id@host>` items of In-Reply-To/References, at most 50 (a thread's last ones count)."""
    return _MESSAGE_ID.findall(value or "")[-50:]


def sanitize_html(html: str) -> str:
    return nh3.clean(html, tags=_HTML_TAGS, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def html_to_text(html: str) -> str:
    """A readable plain text of an HTML-only mail: block ends become line breaks, tags go."""
    spaced = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote)>", "\n", html)
    return html_lib.unescape(nh3.clean(spaced, tags=set())).strip()


# What mail-parser-reply 1.36 misses in our four languages: Gmail's Spanish header (the address in
# parentheses), Apple Mail's "sent from" lines in German and French, Spanish sign-offs. A line that
# matches ends the reply (never the first line: a reply that is only "Saludos" stays).
_REPLY_ENDS = re.compile(
    r"^\s*("
    r"(on|am|le|el)\b.{4,300}\b(wrote|schrieb|a écrit|escribió)\s*:?"
    r"|(sent from|von meinem|envoyé de mon|enviado desde mi)\b.{0,60}"
    r"|(saludos cordiales|un saludo|atentamente|saludos|cordialement|mit freundlichen grüßen|viele grüße)\s*,?"
    r")\s*$",
    re.IGNORECASE,
)


def _cut_at_reply_end(text: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines[1:], start=1):
        if _REPLY_ENDS.match(line):
            return "\n".join(lines[:index])
    return text


def reply_text(text: str) -> str:
    """The newest reply alone: quoted history, "On ... wrote:" headers and signatures removed."""
    text = text.replace("\r\n", "\n")[: MAX_TEXT * 2]
    try:
        replies = EmailReplyParser(languages=list(LANGUAGES)).read(text).replies
    except (re.error, RecursionError):  # a pathological body: keep it whole rather than fail the mail
        replies = []
    body = replies[0].body if replies else text
    lines = [line for line in body.split("\n") if not line.startswith(">")]
    return _cut_at_reply_end("\n".join(lines).strip()).strip()[:MAX_TEXT]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot decode is no header
        return ""
    return " ".join(str(value).split())[:MAX_HEADER] if value is not None else ""


def classify(message: Message, *, from_email: str, subject: str) -> str:
    """bounce (a delivery report), auto_reply (nobody wrote it) or reply."""
    content_type = message.get_content_type()
    if content_type == "multipart/report" and message.get_param("report-type") == "delivery-status":
        return "bounce"
    if from_email.split("@")[0].lower() in BOUNCE_SENDERS and BOUNCE_SUBJECT.search(subject):
        return "bounce"
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply"
    if any(_header(message, name) for name in AUTO_HEADERS):
        return "auto_reply"
    if _header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return "auto_reply"
    if _header(message, "X-Auto-Response-Suppress") and AUTO_SUBJECT.search(subject):
        return "auto_reply"
    if AUTO_SUBJECT.search(subject):
        return "auto_reply"
    return "reply"


def _delivery_status(message: Message) -> tuple[list[Bounced], str | None]:
    """Per-recipient `Action: failed` blocks of a DSN (RFC 3464), and the returned mail's Message-ID."""
    bounced: list[Bounced] = []
    returned_id: str | None = None
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            for block in part.get_payload() or []:
                if not isinstance(block, Message):
                    continue
                recipient = _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
                if _header(block, "Action").lower() != "failed" or ";" not in recipient:
                    continue
                bounced.append(
                    Bounced(
                        recipient=recipient.split(";", 1)[1].strip(),
                        status=_header(block, "Status"),
                        diagnostic=_header(block, "Diagnostic-Code"),
                    )
                )
        elif content_type in ("text/rfc822-headers", "message/rfc822") and returned_id is None:
            payload = part.get_payload(decode=True) if content_type == "text/rfc822-headers" else None
            inner = message_from_bytes(payload) if payload else (part.get_payload() or [None])[0]
            if isinstance(inner, Message):
                ids = message_ids(_header(inner, "Message-ID"))
                returned_id = ids[0] if ids else None
    return bounced, returned_id


def _decoded_text(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken transfer encoding
        content = part.get_payload(decode=True)
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    return str(content or "")


def _attachments(message: EmailMessage) -> list[Attachment]:
    found: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart() or (part.get_content_maintype() == "text" and not part.get_filename()):
            continue
        disposition = part.get_content_disposition()
        content_id = _header(part, "Content-ID") or None
        if disposition is None and content_id is None and part.get_content_maintype() in ("text", "message"):
            continue
        content = part.get_payload(decode=True) or b""
        found.append(
            Attachment(
                filename=(part.get_filename() or content_id or "attachment")[:255],
                content_type=part.get_content_type()[:255],
                size=len(content),
                content_id=content_id,
                inline=disposition == "inline" or (disposition is None and content_id is not None),
                content=content,
            )
        )
    return found


def _addresses(message: Message, *names: str) -> list[str]:
    values = [_header(message, name) for name in names]
    return [address for _, address in getaddresses([v for v in values if v]) if "@" in address]


def parse_mime(raw: bytes, *, envelope_recipients: list[str] | None = None) -> ParsedMail:
    """Read raw RFC 5322 bytes. Malformed parts are read as far as they go; no sender is UnreadableMail."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    from_name, from_email = parseaddr(_header(message, "From"))
    if "@" not in from_email:
        raise UnreadableMail("the mail has no From address")
    subject = _header(message, "Subject")[:500]
    try:
        body = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except (KeyError, ValueError, IndexError):
        body = html_part = None
    html = _decoded_text(html_part) if html_part is not None and html_part.get_content_type() == "text/html" else None
    if body is not None and body.get_content_type() == "text/plain":
        text = _decoded_text(body)
    else:
        text = html_to_text(html) if html else ""
    kind = classify(message, from_email=from_email, subject=subject)
    bounced, returned_id = _delivery_status(message) if kind == "bounce" else ([], None)
    ids = message_ids(_header(message, "Message-ID"))
    return ParsedMail(
        from_email=from_email[:320],
        from_name=from_name[:200] or None,
        subject=subject,
        message_id=ids[0] if ids else None,
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        recipients=[
            *(envelope_recipients or []),
            *_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To", "X-Forwarded-To"),
        ],
        text=reply_text(text) if kind == "reply" else text.strip()[:MAX_TEXT],
        html=sanitize_html(html) if html else None,
        attachments=_attachments(message),
        kind=kind,
        bounced=bounced,
        bounced_message_id=returned_id,
        raw_size=len(raw),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def display_address(name: str | None, address: str) -> str:
    """`Name <address>` for a Reply-To, or the address alone when the name cannot be written."""
    try:
        return str(Address(display_name=name or "", addr_spec=address))
    except (ValueError, IndexError):
        return address


def _items(value: object) -> list[dict]:
    """The objects of a JSON list field; anything else in its place (a string, a number) is no items."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _size(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def parse_postmark(payload: dict, *, raw_size: int) -> ParsedMail:
    """Postmark's inbound JSON (postmarkapp.com/developer/webhooks/inbound-webhook) read as a mail.

    Postmark's own `MessageID` is its id, not the mail's: the Message-ID, In-Reply-To and
    References come from `Headers`. `MailboxHash` is the part after the `+` of the address."""
    headers = EmailMessage(policy=policy.default)
    for header in _items(payload.get("Headers")):
        if header.get("Name") and header.get("Value") is not None:
            try:
                headers[str(header["Name"])[:100]] = str(header["Value"])[:MAX_HEADER]
            except (ValueError, TypeError):
                continue
    from_full = payload.get("FromFull") if isinstance(payload.get("FromFull"), dict) else {}
    from_email = str(from_full.get("Email") or payload.get("From") or "")
    if "@" not in from_email:
        raise UnreadableMail("the mail has no From address")
    subject = " ".join(str(payload.get("Subject") or "").split())[:500]
    recipients = [str(payload.get("OriginalRecipient") or "")]
    for key in ("ToFull", "CcFull", "BccFull"):
        recipients += [str(r.get("Email") or "") for r in _items(payload.get(key))]
    attachments = []
    for item in _items(payload.get("Attachments")):
        try:
            content = base64.b64decode(str(item.get("Content") or ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        attachments.append(
            Attachment(
                filename=str(item.get("Name") or "attachment")[:255],
                content_type=str(item.get("ContentType") or "application/octet-stream")[:255],
                size=len(content) or _size(item.get("ContentLength")),
                content_id=str(item.get("ContentID") or "") or None,
                inline=bool(item.get("ContentID")),
                content=content,
            )
        )
    kind = classify(headers, from_email=from_email, subject=subject)
    html = str(payload.get("HtmlBody") or "") or None
    text = str(payload.get("TextBody") or "") or (html_to_text(html) if html else "")
    ids = message_ids(_header(headers, "Message-ID"))
    return ParsedMail(
        from_email=from_email[:320],
        from_name=str(from_full.get("Name") or payload.get("FromName") or "")[:200] or None,
        subject=subject,
        message_id=ids[0] if ids else None,
        in_reply_to=message_ids(_header(headers, "In-Reply-To")),
        references=message_ids(_header(headers, "References")),
        recipients=[r for r in recipients if "@" in r],
        text=reply_text(text) if kind == "reply" else text.strip()[:MAX_TEXT],
        html=sanitize_html(html) if html else None,
        attachments=attachments,
        kind=kind,
        raw_size=raw_size,
        digest=hashlib.sha256(f"postmark:{payload.get('MessageID')}".encode()).hexdigest(),
    )
