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


class InvalidToken(Exception):
    pass


def encode_access_token(keys: list[str], *, user_id: int, account_id: int, now: datetime, ttl: timedelta) -> str:
    current = keys[0]
    payload = {
        "sub": str(user_id),
        "acc": account_id,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, current, algorithm=JWT_ALGORITHM, headers={"kid": key_id(current)})


def decode_access_token(keys: list[str], token: str, *, now: datetime) -> AccessClaims:
    """Verify against the key named by `kid`; `alg: none`, unknown kids and expiry are refused."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed token") from exc
    by_kid = {key_id(key): key for key in keys}
    key = by_kid.get(header.get("kid", ""))
    if key is None:
        raise InvalidToken("unknown signing key")
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid token") from exc
    # Expiry is checked against the injected clock, not the machine's.
    if payload.get("typ") != "access" or int(payload["exp"]) <= int(now.timestamp()):
        raise InvalidToken("token expired")
    return AccessClaims(user_id=int(payload["sub"]), account_id=int(payload["acc"]))
