"""The FastAPI application: API routers, error handlers and the built web app on one port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from duespark import __version__
from duespark.accounting.router import router as accounting_router
from duespark.answers.public_router import router as answer_pages_router
from duespark.answers.router import router as answers_router
from duespark.audit.router import router as audit_router
from duespark.auth.account_email_router import router as account_email_router
from duespark.auth.router import router as auth_router
from duespark.auth.security import password_hasher
from duespark.auth.two_factor_router import router as two_factor_router
from duespark.banktransfer.router import router as bank_transfer_router
from duespark.clients.router import router as clients_router
from duespark.clock import Clock, SystemClock
from duespark.db import make_engine, make_probe_engine, make_session_factory, new_session
from duespark.digest.router import router as digest_router
from duespark.documents.router import public_router as document_link_router
from duespark.documents.router import router as documents_router
from duespark.documents.storage import storage_from_settings
from duespark.email.router import router as email_router
from duespark.email.router import unsubscribe_router, webhook_router
from duespark.errors import DomainError, ErrorBody, ServiceUnavailable, ValidationErrorBody
from duespark.inbound.router import inbound_router
from duespark.inbound.router import router as replies_router
from duespark.insights.router import router as insights_router
from duespark.invoices.router import router as invoices_router
from duespark.notices.router import router as notices_router
from duespark.onboarding.router import router as onboarding_router
from duespark.ops.logging import get_logger
from duespark.ops.metrics import register_dispatch_lag
from duespark.ops.router import router as ops_router
from duespark.ops.setup import install_ops
from duespark.outgoing_webhooks.router import router as outgoing_webhooks_router
from duespark.payments.public_router import router as payment_pages_router
from duespark.payments.router import router as payments_router
from duespark.privacy.router import router as privacy_router
from duespark.reconciliation.router import router as reconciliation_router
from duespark.reminders.router import router as reminders_router
from duespark.settings import Settings, load_settings, validate_for_startup
from duespark.teams.router import router as teams_router
from duespark.wiring import connect_domains

log = get_logger(__name__)

REPO_WEB_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
# Paths the single-page app must never shadow.
SERVER_PREFIXES = ("api/", "pay/", "unsubscribe/", "health", "ready", "metrics", "c/")


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def _validation_body(detail: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"error": "ValidationError", "detail": detail})


def _validation_handler(_request: Request, exc: RequestValidationError) -> JSONResponse:
    detail = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            # FastAPI puts the character offset in the location; the field is the body itself.
            reason = (error.get("ctx") or {}).get("error", "")
            detail.append({"field": "body", "message": f"The body is not valid JSON: {reason}".rstrip(": ")})
            continue
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        detail.append({"field": _field_name(tuple(error.get("loc", ()))), "message": message})
    return _validation_body(detail)


def _domain_handler(_request: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(status_code=exc.status_code, content=exc.body(), headers=exc.headers)


# The database refusing connections, dropping them (a restart), not answering in time, or the pool
# having no connection to spare: the request may well succeed in a moment.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, sa_exc.DisconnectionError)
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_FREE_PATHS = ("/health", "/metrics")


def _database_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    # One line, no traceback: during an outage every request fails the same way, and formatting
    # thousands of tracebacks would slow the requests that still succeed.
    cause = getattr(exc, "orig", None) or exc
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    log.warning("database unavailable", error=_qualified_name(cause), reason=reason[:200])
    unavailable = ServiceUnavailable(
        "The database is unavailable; try again shortly", retry_after=DATABASE_RETRY_AFTER_SECONDS
    )
    return _domain_handler(request, unavailable)


def _qualified_name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def _http_handler(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:
        # The framework's only 400s: a body it cannot parse (bytes that are not UTF-8 where JSON is
        # expected, broken multipart). Bad input is a 422 everywhere else in this API; so is this.
        message = "The body is not UTF-8 text" if isinstance(exc.__cause__, UnicodeDecodeError) else str(exc.detail)
        return _validation_body([{"field": "body", "message": message}])
    names = {
        404: "NotFound",
        405: "MethodNotAllowed",
        401: "Unauthorized",
        403: "PermissionDenied",
        413: "PayloadTooLarge",
    }
    return JSONResponse(
        status_code=exc.status_code,
        content={"error": names.get(exc.status_code, "HTTPError"), "detail": exc.detail},
        headers=getattr(exc, "headers", None),
    )


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


def _document_app_wide_answers(app: FastAPI) -> None:
    """Say in the document what the app answers beyond each route's own `responses=`:

    - FastAPI documents its own 422 shape ({"detail": [{"loc", "msg", "type"}]}); `_validation_handler`
      answers {"error", "detail": [{"field", "message"}]}.
    - The body limit middleware answers 413 to any POST, PUT or PATCH, and the API rate limit 429 to
      any signed-in request; the role policy (teams/policy.py) 403 to any signed-in request.
    - Any operation that reads or writes the database answers 503 while the database is unavailable.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        if "HTTPValidationError" in schemas:
            body = ValidationErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(body.pop("$defs", {}))
            schemas["HTTPValidationError"] = body
            schemas.pop("ValidationError", None)
        schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                if path not in DATABASE_FREE_PATHS:
                    responses.setdefault("503", _error_response("ServiceUnavailable"))
                if method in ("post", "put", "patch"):
                    responses.setdefault("413", _error_response("PayloadTooLarge"))
                if operation.get("security"):
                    responses.setdefault("429", _error_response("TooManyRequests"))
                if any("HTTPBearer" in scheme for scheme in operation.get("security", ())):
                    # teams/policy.py: every signed-in operation refuses the roles it does not name.
                    responses.setdefault("403", _error_response("PermissionDenied"))
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _mount_web(app: FastAPI, web_dir: Path) -> None:
    index = web_dir / "index.html"
    if not index.exists():
        return
    if (web_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=web_dir / "assets"), name="web-assets")

    @app.get("/{path:path}", include_in_schema=False)
    def web_app(path: str) -> FileResponse:
        if path.startswith(SERVER_PREFIXES):
            raise StarletteHTTPException(status_code=404, detail="Not found")
        candidate = (web_dir / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(web_dir.resolve()):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


def _dispatch_lag(app: FastAPI) -> float:
    from duespark.reminders.worker import dispatch_lag_seconds

    with new_session(app.state.session_factory, write=False) as session:
        return dispatch_lag_seconds(session, app.state.clock)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The pool of threads FastAPI runs request handlers in belongs to this event loop.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.request_thread_count
    # Read at startup, not at create_app, so tests can swap the session factory first.
    worker = None
    if app.state.settings.worker_in_process:
        from duespark.reminders.worker import start_in_process_worker

        worker = start_in_process_worker(app.state.settings, app.state.session_factory, app.state.clock)
    app.state.worker = worker.running_scheduler if worker is not None else None
    register_dispatch_lag(lambda: _dispatch_lag(app))
    try:
        yield
    finally:
        if worker is not None:
            # SIGTERM or Ctrl+C: the dispatch in progress stops claiming, finishes or releases its
            # emails, and returns within seconds (not after everything due has been sent).
            worker.shutdown()


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or load_settings()
    validate_for_startup(settings)
    engine = make_engine(settings.database_url_or_default, pool_size=settings.database_pool_size)

    app = FastAPI(
        title="DueSpark",
        version=__version__,
        description="Invoice reminders that get you paid on time.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = engine
    app.state.probe_engine = make_probe_engine(
        settings.database_url_or_default, timeout_seconds=settings.ready_db_timeout_seconds
    )
    app.state.session_factory = make_session_factory(engine)
    app.state.password_hasher = password_hasher(settings)
    app.state.storage = storage_from_settings(settings)

    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_handler)  # type: ignore[arg-type]
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable_handler)

    install_ops(app, settings)

    connect_domains(settings)
    for router in (
        auth_router,
        clients_router,
        onboarding_router,  # before invoices: /api/invoices/not-chased/... is not an invoice id
        invoices_router,
        account_email_router,
        email_router,
        webhook_router,
        unsubscribe_router,
        payments_router,
        bank_transfer_router,
        payment_pages_router,
        answer_pages_router,
        ops_router,
        privacy_router,
        insights_router,
        reminders_router,
        notices_router,
        replies_router,
        inbound_router,
        answers_router,
        documents_router,
        reconciliation_router,
        accounting_router,
        document_link_router,
        outgoing_webhooks_router,
        audit_router,
        two_factor_router,
        digest_router,
        teams_router,
    ):
        app.include_router(router)

    _document_app_wide_answers(app)
    _mount_web(app, settings.web_dist_dir or REPO_WEB_DIST)
    return app
