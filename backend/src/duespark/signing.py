"""Signed public tokens for links that work without signing in (pay links, client portals).

A token is `<value, base64url>.<HMAC-SHA256 over "purpose:value", first 16 bytes, base64url>`.
The first signing key signs, every key verifies, so rotating `DUESPARK_SECRET_KEYS` keeps old
links in emails working for as long as the old key stays listed. The purpose is part of the MAC,
so a token made for one kind of link is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from duespark.errors import NotFound
from duespark.settings import Settings

MAC_BYTES = 16


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, purpose: str, value: str) -> bytes:
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()[:MAC_BYTES]


def sign_token(settings: Settings, purpose: str, value: object) -> str:
    keys = settings.signing_keys
    if not keys:
        raise RuntimeError("No signing key configured (DUESPARK_SECRET_KEY)")
    text = str(value)
    return f"{_b64encode(text.encode())}.{_b64encode(_mac(keys[0], purpose, text))}"


def verify_token(settings: Settings, purpose: str, token: str) -> str:
    """The signed value; any malformed, forged or foreign-purpose token is a plain 404."""
    encoded_value, _, encoded_mac = token.partition(".")
    try:
        value = _b64decode(encoded_value).decode()
        mac = _b64decode(encoded_mac)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NotFound("Link") from None
    if not encoded_mac or len(mac) != MAC_BYTES:
        raise NotFound("Link")
    for key in settings.signing_keys:
        if hmac.compare_digest(mac, _mac(key, purpose, value)):
            return value
    raise NotFound("Link")
