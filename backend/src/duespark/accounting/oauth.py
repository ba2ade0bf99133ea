"""OAuth 2.0 authorization code flow through authlib's httpx client: the authorize URL (with a PKCE S256
challenge where the provider takes one), the code exchanged for tokens, and tokens refreshed."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError

with warnings.catch_warnings():
    # authlib 1.9 warns at import that it prefers the httpx2 fork; DueSpark uses httpx throughout (respx in tests).
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

from duespark.accounting.api import NeedsReconnect, ProviderError
from duespark.accounting.base import OAuthConfig

# A token shorter-lived than its provider says is refreshed this long before it expires.
REFRESH_MARGIN = timedelta(minutes=2)
DEFAULT_EXPIRES_IN = 1800


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime


def new_verifier() -> str:
    """A PKCE code verifier: 64 characters from the unreserved set (RFC 7636 allows 43 to 128)."""
    return generate_token(64)


def new_nonce() -> str:
    return generate_token(32)


def _client(config: OAuthConfig, *, redirect_uri: str | None, timeout: float) -> OAuth2Client:
    return OAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_endpoint_auth_method="client_secret_basic" if config.client_secret else "none",
        scope=config.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256" if config.pkce else None,
        timeout=timeout,
    )


def authorize_url(config: OAuthConfig, *, redirect_uri: str, state: str, verifier: str | None) -> str:
    with _client(config, redirect_uri=redirect_uri, timeout=5) as client:
        url, _ = client.create_authorization_url(config.authorize_url, state=state, code_verifier=verifier)
    return url


def _tokens(token: dict[str, Any], *, now: datetime, previous_refresh: str | None = None) -> Tokens:
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise ProviderError("the provider's token answer has no access_token")
    expires_in = token.get("expires_in")
    seconds = expires_in if isinstance(expires_in, int) and expires_in > 0 else DEFAULT_EXPIRES_IN
    refresh = token.get("refresh_token")
    return Tokens(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else previous_refresh,
        expires_at=now + timedelta(seconds=seconds),
    )


def exchange_code(
    config: OAuthConfig, *, redirect_uri: str, code: str, verifier: str | None, now: datetime, timeout: float
) -> Tokens:
    try:
        with _client(config, redirect_uri=redirect_uri, timeout=timeout) as client:
            token = client.fetch_token(config.exchange_url, code=code, code_verifier=verifier)
    except OAuthError as exc:
        raise ProviderError(f"the provider refused the authorization code ({exc.error})") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"the token exchange failed ({type(exc).__name__})") from None
    return _tokens(dict(token), now=now)


def refresh_tokens(config: OAuthConfig, *, refresh_token: str, now: datetime, timeout: float) -> Tokens:
    """New tokens; NeedsReconnect when the provider refuses the refresh token (revoked, expired)."""
    try:
        with _client(config, redirect_uri=None, timeout=timeout) as client:
            token = client.refresh_token(config.exchange_url, refresh_token=refresh_token)
    except OAuthError as exc:
        raise NeedsReconnect(f"the provider refused the refresh token ({exc.error})") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"the token refresh failed ({type(exc).__name__})") from None
    return _tokens(dict(token), now=now, previous_refresh=refresh_token)
