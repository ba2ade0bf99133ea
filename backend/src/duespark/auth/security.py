"""Password hashing, JWT signing with key ids, and opaque token hashing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from duespark.settings import Settings

JWT_ALGORITHM = "HS256"
API_TOKEN_PREFIX = "dsp_"  # noqa: S105 - a public prefix that marks API tokens


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def key_id(key: str) -> str:
    """A public, stable name for a signing key: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    account_id: int
    issued_at: int = 0  # seconds since the epoch (the `iat` claim)
    version: int = 0  # the user's token version when issued (`ver`; tokens from before it existed: 0)


class InvalidToken(Exception):
    pass


def encode_access_token(
    keys: list[str], *, user_id: int, account_id: int, now: datetime, ttl: timedelta, version: int = 0
) -> str:
    current = keys[0]
    payload = {
        "sub": str(user_id),
        "acc": account_id,
        "ver": version,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, current, algorithm=JWT_ALGORITHM, headers={"kid": key_id(current)})


def _claim_id(payload: dict, name: str) -> int:
    """A positive integer id from a claim written as a number or a string of digits; anything else
    (missing, a list, a bool, "1e3", an out-of-range number) is an invalid token, not a 500."""
    value = payload.get(name)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if type(value) is not int or not 0 < value < 2**63:
        raise InvalidToken(f"malformed claim {name!r}")
    return value


def decode_access_token(keys: list[str], token: str, *, now: datetime) -> AccessClaims:
    """Verify against the key named by `kid`; `alg: none`, unknown kids and expiry are refused."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed token") from exc
    by_kid = {key_id(key): key for key in keys}
    kid = header.get("kid")
    key = by_kid.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken("unknown signing key")
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub"], "verify_exp": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as exc:
        raise InvalidToken("invalid token") from exc
    if payload.get("typ") != "access":
        raise InvalidToken("not an access token")
    issued_at, expires = payload.get("iat"), payload.get("exp")
    if not all(type(v) in (int, float) and abs(v) < 2**53 for v in (issued_at, expires)):
        raise InvalidToken("malformed claim 'iat' or 'exp'")
    # Expiry is checked against the injected clock, not the machine's.
    if int(expires) <= int(now.timestamp()):
        raise InvalidToken("token expired")
    version = payload.get("ver", 0)
    if type(version) is not int or not 0 <= version < 2**31:
        raise InvalidToken("malformed claim 'ver'")
    return AccessClaims(
        user_id=_claim_id(payload, "sub"),
        account_id=_claim_id(payload, "acc"),
        issued_at=int(issued_at),
        version=version,
    )
