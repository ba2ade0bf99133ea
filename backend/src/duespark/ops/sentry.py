"""Error reports to Sentry, only when a DSN is configured, scrubbed like the logs."""

from __future__ import annotations

from typing import Any

from duespark import __version__
from duespark.ops.logging import redact
from duespark.settings import Settings


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's `before_send`: drop bodies and cookies, redact secrets everywhere else."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {key: value for key, value in user.items() if key == "id"}
    return redact(event)


def init_sentry(settings: Settings, *, component: str, transport: Any = None) -> bool:
    """Start the SDK for the API or the worker; returns False when no DSN is set."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    options: dict[str, Any] = {
        "dsn": settings.sentry_dsn,
        "environment": settings.env,
        "release": f"duespark@{__version__}",
        "traces_sample_rate": settings.sentry_traces_sample_rate,
        "before_send": scrub_event,
        "max_request_body_size": "never",
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    sentry_sdk.set_tag("component", component)
    return True
