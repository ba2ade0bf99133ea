"""The RFC 5322 form of an OutgoingEmail, shared by the file, SMTP and SES providers.

Python's own header folder (`email.policy.default`) is not used for the headers whose exact form
matters. It wrote `List-Unsubscribe` as RFC 2047 encoded words whenever the line was long (RFC
2369 wants the plain bracketed list, and Gmail and Yahoo then offered no one-click unsubscribe),
and it lost or doubled the space before an encoded word next to a no-break space ("3 500,00 €à
régler", "3.500,00  €"). Here:

- `List-Unsubscribe` (and `List-Unsubscribe-Post`) are written as given, ASCII, folded only
  between list items;
- `Subject` is written as is when it is ASCII, else as a run of complete Q encoded words, split
  at character boundaries, so it decodes to exactly the text composed, spaces included.
"""

from __future__ import annotations

import secrets
import string
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import formataddr, formatdate
from typing import Any
from urllib.parse import quote

from duespark.email.message import OutgoingEmail

MAX_LINE = 78  # RFC 5322 2.1.1: lines SHOULD be at most 78 characters
# A Q encoded word is at most 75 characters (RFC 2047 2); "=?utf-8?q?" and "?=" take 12 of them.
ENCODED_WORD_PREFIX = "=?utf-8?q?"
ENCODED_WORD_SUFFIX = "?="
MAX_ENCODED_WORD = 75
# Characters a Q encoded word may carry as themselves in any header (RFC 2047 5(3)); space is "_".
_Q_LITERAL = frozenset(string.ascii_letters + string.digits + "!*+-/")
# Printable ASCII that may stand in a URI as itself; anything else is percent-encoded.
_URI_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '<>"')

SUBJECT = "subject"
URI_LISTS = frozenset({"list-unsubscribe", "list-help", "list-subscribe", "list-post"})
PLAIN_ASCII = frozenset({"list-unsubscribe-post", "auto-submitted"})
OURS = frozenset({SUBJECT}) | URI_LISTS | PLAIN_ASCII


def message_id_for(from_email: str) -> str:
    """A random Message-ID on the sender's domain: nothing in it says which row or account it is."""
    domain = from_email.rsplit("@", 1)[-1] or "duespark.local"
    return f"<{secrets.token_hex(16)}@{domain}>"


def _q_encode_char(char: str) -> str:
    if char == " ":
        return "_"
    if char in _Q_LITERAL:
        return char
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


def encoded_words(text: str, *, first_line_used: int = 0) -> list[str]:
    """`text` as RFC 2047 Q encoded words, never splitting a character: each at most 75 characters,
    and none on a line longer than 76 (RFC 2047 2), the first sharing its line with `Name: `."""
    overhead = len(ENCODED_WORD_PREFIX) + len(ENCODED_WORD_SUFFIX)
    budget = MAX_ENCODED_WORD - overhead
    words: list[str] = []
    current = ""
    for char in text:
        encoded = _q_encode_char(char)
        limit = min(budget, 76 - first_line_used - overhead) if not words else budget
        if current and len(current) + len(encoded) > limit:
            words.append(ENCODED_WORD_PREFIX + current + ENCODED_WORD_SUFFIX)
            current = ""
        current += encoded
    if current or not words:
        words.append(ENCODED_WORD_PREFIX + current + ENCODED_WORD_SUFFIX)
    return words


def _wrap_at_spaces(name: str, text: str, linesep: str) -> str:
    """An ASCII value folded before single spaces, so unfolding (removing the line breaks) gives
    `text` back exactly; a word longer than a line stays whole (lines may reach 998 characters)."""
    lines: list[str] = []
    line = f"{name}: "
    for index, word in enumerate(text.split(" ")):
        piece = word if index == 0 else " " + word
        if index > 0 and word and len(line) + len(piece) > MAX_LINE and line.strip():
            lines.append(line)
            line = piece
        else:
            line += piece
    lines.append(line)
    return linesep.join(lines) + linesep


def fold_unstructured(name: str, text: str, *, linesep: str, utf8: bool = False) -> str:
    """A Subject-like header: as is when ASCII (or when the message may carry UTF-8, RFC 6532), else
    as encoded words, one per line after the first (the folding space between two encoded words is
    not part of the text, RFC 2047 6.2)."""
    text = " ".join(text.splitlines())
    needs_encoding = not text.isascii() or "=?" in text
    if utf8 or not needs_encoding:
        return _wrap_at_spaces(name, text, linesep)
    words = encoded_words(text, first_line_used=len(name) + 2)
    return f"{name}: " + (linesep + " ").join(words) + linesep


def uri_list_items(value: str) -> list[str]:
    """The `<...>` items of an RFC 2369 header, each ASCII (anything else percent-encoded)."""
    items = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        if not (item.startswith("<") and item.endswith(">")):
            item = f"<{item.strip('<>')}>"
        items.append("<" + quote(item[1:-1], safe=_URI_SAFE) + ">")
    return items


def fold_uri_list(name: str, value: str, *, linesep: str) -> str:
    """`<https://...>, <mailto:...>` on one line when it fits, else one item per line: never encoded
    (RFC 2369 3: the header is a list of bracketed URLs; RFC 8058 needs the https one readable)."""
    items = uri_list_items(value)
    single = f"{name}: " + ", ".join(items)
    if len(single) <= MAX_LINE:
        return single + linesep
    return f"{name}: " + ("," + linesep + " ").join(items) + linesep


class DueSparkPolicy(EmailPolicy):
    """SMTP line endings (CRLF) and the exact folding above for Subject and the List-* headers; every
    other header goes through the standard folder."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if name.lower() in OURS:
            text = str(value)
            if "\r" in text or "\n" in text:
                raise ValueError("Header values may not contain linefeed or carriage return characters")
            return (name, text)  # kept as given; parsed on read, folded by `fold` below
        return super().header_store_parse(name, value)

    def _ours(self, name: str, value: Any) -> str | None:
        lowered = name.lower()
        if lowered == SUBJECT:
            return fold_unstructured(name, str(value), linesep=self.linesep, utf8=self.utf8)
        if lowered in URI_LISTS:
            return fold_uri_list(name, str(value), linesep=self.linesep)
        if lowered in PLAIN_ASCII:  # `List-Unsubscribe=One-Click`, `auto-generated`: tokens, as given
            return _wrap_at_spaces(name, " ".join(str(value).split()), self.linesep)
        return None

    def fold(self, name: str, value: Any) -> str:
        folded = self._ours(name, value)
        return folded if folded is not None else super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = self._ours(name, value)
        if folded is None:
            return super().fold_binary(name, value)
        return folded.encode("utf-8" if self.utf8 else "ascii", "surrogateescape")


POLICY = DueSparkPolicy().clone(linesep=SMTP.linesep)


def to_mime(message: OutgoingEmail) -> EmailMessage:
    """multipart/alternative (text, then HTML) when there is an HTML part; with inline images the HTML
    is a multipart/related of the HTML and its images (RFC 2387), which `cid:` URLs name (RFC 2392).
    The Message-ID the composer chose is kept, or one is made on the sender's domain."""
    mime = EmailMessage(policy=POLICY)
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
        if message.inline_images:
            html_part = mime.get_payload()[-1]
            for image in message.inline_images:
                maintype, subtype = image.content_type.split("/", 1)
                html_part.add_related(
                    image.data,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{image.content_id}>",
                    filename=image.filename,
                    disposition="inline",
                )
    for attachment in message.attachments:
        # multipart/mixed: the text (or text + HTML alternative) first, then each file. The name goes both
        # in Content-Disposition's filename (RFC 2183) and Content-Type's name, which older clients read.
        maintype, subtype = attachment.content_type.split("/", 1)
        mime.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.file_name,
            params={"name": attachment.file_name},
        )
    return mime
