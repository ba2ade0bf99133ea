from __future__ import annotations

import ipaddress
import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from duespark import __version__
from duespark.deps import ClockDep, SettingsDep
from duespark.errors import Unauthorized, error_responses
from duespark.ops import health, metrics
from duespark.settings import Settings

router = APIRouter(tags=["ops"])

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/health", summary="Liveness: the process answers")
def get_health() -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__}, headers=NO_STORE)


@router.get(
    "/ready",
    summary="Readiness: database, migrations, email, worker heartbeat and Redis, each with its latency",
    responses={503: {"description": "A required check failed"}},
)
async def get_ready(request: Request, settings: SettingsDep, clock: ClockDep) -> JSONResponse:
    report = await health.run_checks_within(
        settings.ready_timeout_seconds, settings=settings, engine=request.app.state.probe_engine, clock=clock
    )
    body = {**report.as_json(), "version": __version__}
    return JSONResponse(body, status_code=200 if report.ready else 503, headers=NO_STORE)


def _metrics_allowed(request: Request, settings: Settings) -> bool:
    """A valid bearer token, or a scrape from an allowed network (Prometheus on the same host or LAN)."""
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        if secrets.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.metrics_allowed_networks)


@router.get(
    "/metrics",
    summary="Prometheus metrics (bearer token or an allowed network)",
    response_class=Response,
    responses=error_responses(Unauthorized),
)
async def get_metrics(request: Request, settings: SettingsDep) -> Response:
    if not _metrics_allowed(request, settings):
        raise Unauthorized("A metrics token is required")
    # Scrape-time gauges query the database: keep them off the event loop.
    content, content_type = await run_in_threadpool(metrics.render_latest)
    return Response(content, media_type=content_type, headers=NO_STORE)
