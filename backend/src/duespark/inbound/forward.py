"""The HTML part and the attachments of a reply forwarded to the account's owner.

The forward used to be text only. Its HTML part quotes the client's own HTML (already cleaned by nh3 when the
mail was filed, parsing.sanitize_html) or their text, and the whole part goes through the same nh3 cleaning
again, as the reply view shows it. The attachments DueSpark kept (each up to
DUESPARK_INBOUND_ATTACHMENT_KEEP_BYTES) go with it, in the order the client sent them, while the message stays
under the provider's size limit (documents/attach.py); the others are listed, as in the text part.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence

from duespark.documents.attach import BODY_ALLOWANCE, encoded_size, message_limit
from duespark.email.message import Attachment
from duespark.inbound.parsing import sanitize_html
from duespark.models import InboundAttachment, InboundMessage
from duespark.settings import Settings


def _paragraphs(text: str) -> str:
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{html_lib.escape(b.strip()).replace(chr(10), '<br>')}</p>" for b in blocks)


def forward_html(
    row: InboundMessage, *, sender: str, numbers: str, hold_days: int, link: str, attached: Sequence[str]
) -> str:
    """The forward's HTML part, cleaned by nh3 as a whole."""
    esc = html_lib.escape
    body = row.html if row.html else _paragraphs(row.text)
    files = "".join(
        f"<li>{esc(a['filename'])} ({a['size']} bytes){'' if a['filename'] in attached else ' (not attached)'}</li>"
        for a in row.attachments
    )
    parts = [
        f"<p>{esc(sender)} replied about invoice {esc(numbers)}.<br>Reminders for it wait {hold_days} days.</p>",
        f"<p><strong>Subject:</strong> {esc(row.subject)}</p>",
        f"<blockquote>{body}</blockquote>",
        f"<p><strong>Attachments:</strong></p><ul>{files}</ul>" if files else "",
        f'<p>Answer here (it goes to the client), or in DueSpark: <a href="{esc(link)}">{esc(link)}</a></p>',
    ]
    return sanitize_html("".join(parts))


def forward_attachments(
    kept: Sequence[InboundAttachment], *, settings: Settings, text_bytes: int, html_bytes: int
) -> tuple[Attachment, ...]:
    """The kept files, first come first attached, while the whole message fits the provider's limit."""
    room = message_limit(settings, settings.email_provider) - BODY_ALLOWANCE - text_bytes - html_bytes
    chosen: list[Attachment] = []
    for item in kept:
        if item.content is None:
            continue
        size = encoded_size(len(item.content))
        if size > room:
            continue
        room -= size
        chosen.append(Attachment(item.filename, item.content_type, item.content))
    return tuple(chosen)
