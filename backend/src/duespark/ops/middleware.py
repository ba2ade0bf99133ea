"""ASGI middleware: request ids, access logs and metrics; security headers; request body limits.

Plain ASGI classes rather than BaseHTTPMiddleware, so streaming responses are not buffered
and the context variables bound for a request are the ones its handlers see.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

from duespark.ops import metrics
from duespark.ops.logging import clean_request_id, get_logger

REQUEST_ID_HEADER = "X-Request-ID"
# The single-page app is built by Vite into static files; Mantine injects inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
# Swagger UI loads its script and styles from a CDN and boots with an inline script.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; frame-ancestors 'none'"
)
DOCS_PATHS = ("/api/docs",)

access_log = get_logger("duespark.access")


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path or metrics.UNMATCHED_ROUTE


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class RequestContextMiddleware:
    """Give each request an id (the caller's X-Request-ID if sane), log it once, and measure it.

    Only the route template is logged and used as a label: raw paths carry ids and the
    tokens of payment and unsubscribe links.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = clean_request_id(_header(scope, b"x-request-id"))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                status = 500
                access_log.exception("request failed", **self._fields(scope, status, started))
                raise
            finally:
                route = _route_template(scope)
                metrics.observe_http(scope["method"], route, status, time.perf_counter() - started)
            level = "warning" if status >= 500 else "info"
            getattr(access_log, level)("request", **self._fields(scope, status, started))

    @staticmethod
    def _fields(scope: Scope, status: int, started: float) -> dict[str, Any]:
        client = scope.get("client")
        return {
            "method": scope["method"],
            "route": _route_template(scope),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client_ip": client[0] if client else None,
        }


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts_max_age: int | None) -> None:
        self.app = app
        self.headers: list[tuple[str, str]] = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        if hsts_max_age:
            self.headers.append(("Strict-Transport-Security", f"max-age={hsts_max_age}; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CONTENT_SECURITY_POLICY if scope["path"].startswith(DOCS_PATHS) else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def too_large_detail(limit: int, hint: str | None) -> str:
    detail = f"The request body is larger than {limit} bytes"
    return f"{detail}: {hint}" if hint else detail


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_detail(limit, None))


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit: at once when Content-Length says so, else while streaming."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        path_limits: Iterable[tuple[str, int]] = (),
        hints: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        # The first matching prefix wins: a longer one goes before the prefix it extends.
        self.path_limits = tuple(path_limits)
        # What the 413 adds for a prefix: which limit it is and the setting that changes it.
        self.hints = hints or {}

    def _match(self, path: str) -> str | None:
        for prefix, _ in self.path_limits:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix
        return None

    def limit_for(self, path: str) -> int:
        prefix = self._match(path)
        return dict(self.path_limits)[prefix] if prefix else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        hint = self.hints.get(self._match(scope["path"]) or "")
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit, hint)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
            await _send_too_large(send, limit, hint)


async def _send_too_large(send: Send, limit: int, hint: str | None = None) -> None:
    body = json.dumps({"error": "PayloadTooLarge", "detail": too_large_detail(limit, hint)})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
