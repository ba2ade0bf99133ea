"""Standard Webhooks signatures (https://www.standardwebhooks.com): the `standardwebhooks` package signs,
so receivers can verify with the same package in their own language."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
SECRET_BYTES = 32
USER_AGENT = "DueSpark-Webhooks/1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signed_headers(signing_secrets: Sequence[str], *, event_id: str, at: datetime, body: str) -> dict[str, str]:
    """The headers of one attempt: one `v1,` signature per secret (two while a rotated one still signs)."""
    data = body.encode()
    signatures = " ".join(Webhook(secret).sign(event_id, at, data) for secret in signing_secrets)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
