"""The address a client's reply goes to: `reply+<token>@<inbound domain>`, per account and invoice.

The token names one invoice (`i<id>`) or one statement (`s<lead reminder id>`) and carries an HMAC
bound to the account, so a reply can be filed without trusting anything else in the mail, and a token
altered to point at another invoice or account matches nothing. It is lowercase hex and short
(a local part is at most 64 characters, and some servers fold case). With no inbound domain the
Reply-To stays the account's own address, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import formataddr

from duespark.settings import Settings

LOCAL_PREFIX = "reply+"
MAC_HEX = 24  # 96 bits: nobody guesses one in the lifetime of an inbox
_TOKEN = re.compile(rf"^([is])([1-9][0-9]{{0,18}})-([0-9a-f]{{{MAC_HEX}}})$")


@dataclass(frozen=True)
class ReplyTarget:
    kind: str  # "i": an invoice, "s": a statement (its lead reminder)
    object_id: int
    mac: str


def _mac(key: str, kind: str, object_id: int, account_id: int) -> str:
    message = f"duespark:reply:{kind}:{object_id}:{account_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:MAC_HEX]


def reply_token(settings: Settings, *, account_id: int, kind: str, object_id: int) -> str:
    return f"{kind}{object_id}-{_mac(settings.signing_keys[0], kind, object_id, account_id)}"


def reply_address(
    settings: Settings, *, account_id: int, display_name: str, fallback: str | None, kind: str, object_id: int | None
) -> str | None:
    """The Reply-To of a client email: the account's name with its routed address, else `fallback`
    (also for a preview of an invoice not saved yet)."""
    if not settings.inbound_domain or not object_id:
        return fallback
    token = reply_token(settings, account_id=account_id, kind=kind, object_id=object_id)
    return formataddr((display_name, f"{LOCAL_PREFIX}{token}@{settings.inbound_domain}"))


def parse_token(token: str) -> ReplyTarget | None:
    """The target a token names, before its MAC is checked against the owning account."""
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None
    return ReplyTarget(match.group(1), int(match.group(2)), match.group(3))


def token_in_address(settings: Settings, address: str) -> str | None:
    """The token of `reply+<token>@<inbound domain>`, or None for any other address."""
    if not settings.inbound_domain:
        return None
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != settings.inbound_domain.lower() or not local.lower().startswith(LOCAL_PREFIX):
        return None
    return local[len(LOCAL_PREFIX) :]


def mac_matches(settings: Settings, target: ReplyTarget, *, account_id: int) -> bool:
    """Every signing key verifies, so rotating keys breaks no reply address already sent."""
    return any(
        hmac.compare_digest(_mac(key, target.kind, target.object_id, account_id), target.mac)
        for key in settings.signing_keys
    )
