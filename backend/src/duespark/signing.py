"""Signed URL tokens (pay links, unsubscribe links): the value in the clear, an HMAC that binds it.

A token is `<base64url(value)>.<base64url(hmac)>`, where the HMAC-SHA256 covers a purpose string and
the value, so a token made for one purpose (unsubscribe) never works for another (pay). The first
signing key signs; every key verifies, so rotating keys breaks no link already sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from duespark.errors import NotFound
from duespark.settings import Settings

# 160 bits of MAC: far beyond guessing, and short enough for a link in an email.
MAC_BYTES = 20
MAX_TOKEN_LENGTH = 512


class InvalidLink(NotFound):
    """A link whose token was altered, made for another purpose, or never issued: it points nowhere."""

    def __init__(self) -> None:
        super().__init__("Link")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, purpose: str, value: str) -> bytes:
    message = f"duespark:{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).digest()[:MAC_BYTES]


def sign_token(settings: Settings, purpose: str, value: int | str) -> str:
    text = str(value)
    return f"{_b64encode(text.encode())}.{_b64encode(_mac(settings.signing_keys[0], purpose, text))}"


def verify_token(settings: Settings, purpose: str, token: str) -> str:
    """The signed value, or InvalidLink (404) for anything not signed by one of our keys for `purpose`."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise InvalidLink()
    encoded_value, encoded_mac = token.split(".")
    try:
        value = _b64decode(encoded_value).decode()
        given = _b64decode(encoded_mac)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidLink() from None
    # The canonical encoding only: a token re-encoded with other padding bits is not one we issued.
    if _b64encode(value.encode()) != encoded_value or _b64encode(given) != encoded_mac:
        raise InvalidLink()
    for key in settings.signing_keys:
        if hmac.compare_digest(_mac(key, purpose, value), given):
            return value
    raise InvalidLink()
