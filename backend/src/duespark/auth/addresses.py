"""One spelling of an email address for sign-in: what is stored, looked up, and counted by limits.

`ada@example.com` written in full-width letters, `ada@xn--bcher-kva.example` (IDNA) and `ada@BÜCHER.example`
are the same mailboxes as `ada@example.com` and `ada@bücher.example`; before this helper the
per-address sign-in limit counted each spelling separately, so writing the domain another way
bypassed it.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email


def normalize_email(value: str) -> str:
    """NFKC (full-width letters and at-sign become ASCII), then email-validator's normal form (the
    domain lower-cased and IDNA-decoded to Unicode, as pydantic's EmailStr stores it); the local
    part keeps its case. Text that is not an address is returned NFKC-normalised and stripped."""
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return text


def email_key(value: str) -> str:
    """The case-insensitive key of an address: for rate limits and for finding the user."""
    return normalize_email(value).lower()
