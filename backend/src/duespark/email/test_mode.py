"""A client email turned into the test copy the account's own address receives in test mode."""

from __future__ import annotations

import dataclasses
import re

from markupsafe import escape

from duespark.email.message import OutgoingEmail

TEST_SUBJECT_PREFIX = "[TEST] "
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_PREHEADER = re.compile(r"\s*<div style=\"display:none[^>]*>[^<]*</div>")
BANNER_STYLE = (
    "margin:0;padding:12px 16px;background-color:#fef3c7;color:#78350f;border-bottom:1px solid #f59e0b;"
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "font-size:14px;line-height:1.5;"
)


def test_note(client_email: str | None) -> str:
    return (
        "This is a test: DueSpark is in test mode, so this reminder came to you instead of "
        f"{client_email or 'the client (who has no email address yet)'}."
    )


def with_banner(html: str, note: str) -> str:
    """The note as a banner at the top of the visible page: inside <body> (after the hidden
    preheader), never before the doctype, where it put browsers in quirks mode."""
    banner = f'<div role="note" style="{BANNER_STYLE}"><strong>{escape(note)}</strong></div>\n'
    match = _BODY_OPEN.search(html)
    if match is None:
        return banner + html
    at = match.end()
    # After the hidden preheader, so inboxes still preview the email's own first words.
    hidden = _PREHEADER.match(html, at)
    if hidden is not None:
        at = hidden.end()
    return html[:at] + "\n" + banner + html[at:]


def as_test_email(email: OutgoingEmail, *, recipient: str, client_email: str | None) -> OutgoingEmail:
    """Addressed to `recipient`, subject prefixed with "[TEST] " (no space before it: the subject's
    own spaces are trimmed), the note first in the text and as a banner inside the HTML body."""
    note = test_note(client_email)
    return dataclasses.replace(
        email,
        to=recipient,
        subject=TEST_SUBJECT_PREFIX + email.subject.strip(),
        text=f"{note}\n\n{email.text}",
        html=with_banner(email.html, note) if email.html else None,
        headers={**email.headers, "X-DueSpark-Test": "1"},
    )
