"""Installs the operational layer on the app: logging, Sentry, middleware, rate limits, gauges."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from duespark.documents.checks import megabytes
from duespark.ops import health, metrics
from duespark.ops.logging import configure_logging
from duespark.ops.middleware import (
    REQUEST_ID_HEADER,
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from duespark.ops.ratelimit import RateLimits
from duespark.ops.sentry import init_sentry
from duespark.settings import Settings

IMPORT_PATH = "/api/invoices/import"
INBOUND_PATH = "/api/inbound"
DOCUMENTS_PATH = "/api/documents"
DOCUMENT_BULK_PATH = "/api/documents/bulk"
STATEMENTS_PATH = "/api/reconciliation/statements"
MULTIPART_OVERHEAD = 64 * 1024


def install_ops(app: FastAPI, settings: Settings) -> None:
    configure_logging(settings)
    init_sentry(settings, component="api")
    app.state.rate_limits = RateLimits(settings)

    # Added innermost first: the last one added sees the request first.
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=settings.max_body_bytes,
        path_limits=[
            (IMPORT_PATH, settings.max_import_body_bytes),
            (INBOUND_PATH, settings.inbound_max_bytes),
            # Document uploads: one PDF (plus the form's few hundred bytes), or a batch of them.
            (DOCUMENT_BULK_PATH, settings.document_max_upload_bytes),
            (DOCUMENTS_PATH, settings.document_max_file_bytes + MULTIPART_OVERHEAD),
            (STATEMENTS_PATH, settings.statement_max_bytes + MULTIPART_OVERHEAD),
        ],
        hints={
            DOCUMENT_BULK_PATH: "the files of one upload may be at most "
            f"{megabytes(settings.document_max_upload_bytes)} together (DUESPARK_DOCUMENT_MAX_UPLOAD_BYTES)",
            DOCUMENTS_PATH: f"a PDF may be at most {megabytes(settings.document_max_file_bytes)} "
            "(DUESPARK_DOCUMENT_MAX_FILE_BYTES) and a logo "
            f"{megabytes(settings.logo_max_bytes)} (DUESPARK_LOGO_MAX_BYTES)",
            STATEMENTS_PATH: f"a bank statement may be at most {megabytes(settings.statement_max_bytes)} "
            "(DUESPARK_STATEMENT_MAX_BYTES)",
        },
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "Retry-After", "Content-Disposition"],
            max_age=600,
        )
    hsts = settings.hsts_max_age_seconds if settings.public_url.startswith("https://") else None
    app.add_middleware(SecurityHeadersMiddleware, hsts_max_age=hsts)
    app.add_middleware(RequestContextMiddleware)
    if settings.trusted_proxies:
        # Outermost: every layer below (logs, rate limits, /metrics access) sees the real client address.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    metrics.register_scrape_gauge(
        metrics.WORKER_HEARTBEAT_AGE,
        "Seconds since the freshest worker heartbeat.",
        lambda: health.heartbeat_age_seconds(app.state.probe_engine, app.state.clock),
    )
