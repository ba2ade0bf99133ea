"""Calls to a provider's API with the connection's token: a 401 refreshes the token once and tries again
(a second 401 means the user must connect again), a 429 waits as Retry-After says, a bounded number of
times. Amounts are read as Decimal, never float."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

# A provider asking for a longer wait than this in one go is not waited for in this run.
DEFAULT_RETRY_AFTER_SECONDS = 5.0


class ProviderError(Exception):
    """The provider answered something the sync cannot use (5xx, a malformed body)."""


class NeedsReconnect(ProviderError):
    """The tokens no longer work (revoked, expired refresh token): the user must connect again."""


class Refused(ProviderError):
    """A 400: the provider read the request and refused it (a validation error); `body` says why."""

    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message)
        self.body = body


class RateLimited(ProviderError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited by the provider; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


def retry_after_seconds(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def decode(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise ProviderError(f"{response.request.url.host} answered {response.status_code} with no JSON") from None


class ProviderApi:
    def __init__(
        self,
        http: httpx.Client,
        *,
        access_token: str,
        refresh: Callable[[], str],
        headers: dict[str, str],
        sleep: Callable[[float], None],
        max_retries: int,
        max_wait_seconds: float,
    ) -> None:
        self.http = http
        self.access_token = access_token
        self.refresh = refresh
        self.headers = headers
        self.sleep = sleep
        self.max_retries = max_retries
        self.max_wait_seconds = max_wait_seconds
        self.waited_seconds = 0.0

    def get(self, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self._call("GET", url, params=params, headers=headers)

    def post(
        self, url: str, *, json: Any, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self._call("POST", url, params=params, json=json, headers=headers)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self.access_token}",
            "Accept": "application/json",
            **self.headers,
            **(kwargs.pop("headers", None) or {}),
        }
        try:
            return self.http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__} calling {httpx.URL(url).host}") from None

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        refreshed = False
        retries = 0
        while True:
            response = self._send(method, url, **dict(kwargs))
            if response.status_code == 401:
                if refreshed:
                    raise NeedsReconnect("the provider refused the refreshed token")
                self.access_token = self.refresh()
                refreshed = True
                continue
            if response.status_code == 429:
                wait = retry_after_seconds(response)
                if retries >= self.max_retries or wait > self.max_wait_seconds:
                    raise RateLimited(wait)
                retries += 1
                self.waited_seconds += wait
                self.sleep(wait)
                continue
            if response.status_code == 403:
                raise NeedsReconnect("the provider refused access to this organisation")
            if response.status_code == 400:
                try:
                    body = json.loads(response.content)
                except ValueError:
                    body = None
                raise Refused(f"{httpx.URL(url).host} answered 400", body)
            if response.status_code >= 400:
                raise ProviderError(f"{httpx.URL(url).host} answered {response.status_code}")
            return decode(response)
