"""Signed, expiring links to an invoice's PDF (emails above the attachment limit, pay page, portal).

The token signs `<invoice id>:<expiry as Unix seconds>` for the purpose "invoice-pdf", so it opens
this one invoice's PDF until then and nothing else; an expired or altered token answers 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from duespark.settings import Settings
from duespark.signing import InvalidLink, sign_token, verify_token
from duespark.tenancy import parse_object_id

PURPOSE = "invoice-pdf"
PATH = "/pay/pdf/"


def pdf_token(settings: Settings, invoice_id: int, *, now: datetime) -> str:
    expires = int((now + timedelta(days=settings.document_link_days)).timestamp())
    return sign_token(settings, PURPOSE, f"{invoice_id}:{expires}")


def pdf_url(settings: Settings, invoice_id: int, *, now: datetime) -> str:
    return settings.public_url.rstrip("/") + PATH + pdf_token(settings, invoice_id, now=now)


def invoice_of_token(settings: Settings, token: str, *, now: datetime) -> int:
    """The invoice id the token opens, or InvalidLink (404) when it is forged, altered or expired."""
    value = verify_token(settings, PURPOSE, token)
    invoice_text, _, expires_text = value.partition(":")
    invoice_id = parse_object_id(invoice_text)
    if invoice_id is None or not expires_text.isdigit():
        raise InvalidLink()
    if datetime.fromtimestamp(int(expires_text), UTC) <= now:
        raise InvalidLink()
    return invoice_id
