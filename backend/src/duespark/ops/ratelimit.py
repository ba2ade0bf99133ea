"""Rate limits with the `limits` library: in memory for one process, in Redis when several share them.

A limit is a FastAPI dependency: `Depends(rate_limit("sign_in_ip", lambda s: s.rate_limit_sign_in,
key=client_ip))`. Keys are hashed before they reach the storage, so no email address sits in Redis.
The client address is the connection's peer, which the proxy-headers middleware replaces with the
X-Forwarded-For address only when the peer is one of the configured trusted proxies.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from starlette.concurrency import run_in_threadpool

from duespark.auth.addresses import email_key
from duespark.errors import TooManyRequests
from duespark.ops.logging import get_logger
from duespark.ops.metrics import record_rate_limited
from duespark.settings import Settings

log = get_logger(__name__)

KeyFunc = Callable[[Request], Awaitable[str | None]]
LimitSpec = str | Callable[[Settings], str]


class RateLimits:
    """The limiter of one app: the storage and strategy chosen from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.shared = settings.redis_url is not None
        storage: Storage = (
            storage_from_string(settings.redis_url, key_prefix=settings.rate_limit_prefix)  # type: ignore[assignment]
            if settings.redis_url
            else MemoryStorage()
        )
        self.storage = storage
        moving = settings.rate_limit_strategy == "moving-window"
        self.limiter: RateLimiter = (MovingWindowRateLimiter if moving else FixedWindowRateLimiter)(storage)

    def hit(self, name: str, limits: str, key: str) -> None:
        """Count one request for `key` under the limit `name`; raise TooManyRequests when over."""
        if not self.enabled:
            return
        hashed = hashlib.sha256(key.encode()).hexdigest()[:32]
        for item in _parse(limits):
            try:
                allowed = self.limiter.hit(item, name, hashed)
            except Exception as exc:  # a broken limiter store must not take the API down
                log.error("rate limit storage unavailable; allowing the request", limit=name, error=str(exc))
                return
            if not allowed:
                record_rate_limited(name)
                raise TooManyRequests(self._retry_after(item, name, hashed))

    def _retry_after(self, item: RateLimitItem, name: str, hashed: str) -> int:
        reset_at = self.limiter.get_window_stats(item, name, hashed).reset_time
        return max(1, math.ceil(reset_at - time.time()))


_parsed: dict[str, list[RateLimitItem]] = {}


def _parse(limits: str) -> list[RateLimitItem]:
    if limits not in _parsed:
        _parsed[limits] = parse_many(limits)
    return _parsed[limits]


async def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def json_field(field: str, normalize: Callable[[str], str] = str.lower) -> KeyFunc:
    """A key from a field of the JSON body (lower-cased, or `normalize`d), e.g. the email being signed in."""

    async def key(request: Request) -> str | None:
        try:
            body: Any = await request.json()
        except (ValueError, RecursionError):
            return None
        value = body.get(field) if isinstance(body, dict) else None
        return normalize(value.strip()) if isinstance(value, str) and value.strip() else None

    return key


def rate_limit(name: str, limit: LimitSpec, *, key: KeyFunc) -> Callable[[Request], Awaitable[None]]:
    """A dependency that counts the request under `name`, keyed by `key(request)` (None: not counted)."""

    async def dependency(request: Request) -> None:
        limiter: RateLimits = request.app.state.rate_limits
        if not limiter.enabled:
            return
        value = await key(request)
        if value is None:
            return
        limits = limit(request.app.state.settings) if callable(limit) else limit
        if limiter.shared:
            await run_in_threadpool(limiter.hit, name, limits, value)
        else:
            limiter.hit(name, limits, value)

    dependency.__name__ = f"rate_limit_{name}"
    return dependency


def enforce_api_limit(request: Request, user_id: int) -> None:
    """The per-user API limit, checked once the caller is known (called from `get_principal`)."""
    limiter: RateLimits = request.app.state.rate_limits
    limiter.hit("api_user", request.app.state.settings.rate_limit_api, f"user:{user_id}")


# Ready-made limits for the routes that need them.
sign_in_per_ip = rate_limit("sign_in_ip", lambda s: s.rate_limit_sign_in, key=client_ip)
sign_in_per_email = rate_limit("sign_in_email", lambda s: s.rate_limit_sign_in, key=json_field("email", email_key))
register_per_ip = rate_limit("register_ip", lambda s: s.rate_limit_register, key=client_ip)
register_per_email = rate_limit("register_email", lambda s: s.rate_limit_register, key=json_field("email", email_key))
# For GET/POST /pay/{token} and /unsubscribe/{token}: wired by those routers.
public_link_per_ip = rate_limit("public_link_ip", lambda s: s.rate_limit_public_link, key=client_ip)
