"""Structured logs: JSON in production, readable in development, never a secret in either.

Every record carries the context bound for the current request or job (`request_id`,
`invoice_id`, ...), so one request can be followed from the API into the worker's records.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.contextvars import bound_contextvars, get_contextvars
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

from duespark.settings import Settings

REDACTED = "[redacted]"
# Keys whose values are secrets or message content, wherever they appear in a record.
_SECRET_KEY = re.compile(
    r"(authorization|cookie|passw|secret|token|dsn|credential|signature"
    r"|(api|private|signing|access|encryption|webhook)[_-]?keys?$)",
    re.IGNORECASE,
)
_CONTENT_KEY = re.compile(r"^(body|html|text|html_body|text_body|email_body|content|raw_body|payload)$", re.IGNORECASE)
# Values that are secrets whatever key they hide under.
_SECRET_VALUE = re.compile(
    r"(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]+"  # Authorization header values
    r"|eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"  # JWTs
    r"|dsp_[A-Za-z0-9_-]{16,}"  # DueSpark API tokens
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}"  # Stripe keys and webhook secrets
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"  # user:password in URLs
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of `value` with secrets and message bodies replaced, recursing into containers."""
    if key is not None and (_SECRET_KEY.search(key) or _CONTENT_KEY.match(key)):
        return REDACTED if value not in (None, "") else value
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(item) for item in value)
    return value


def redact_processor(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: the last step before rendering, so nothing escapes it."""
    return {key: redact(value, key) if key != "event" else redact(value) for key, value in event_dict.items()}


def _drop_color_message(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    # uvicorn adds an ANSI-coloured copy of each message as an `extra`.
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
    ]


def configure_logging(settings: Settings) -> None:
    """Route structlog and the standard library (uvicorn, alembic, ...) through one pipeline."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.json_logs
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            # loadfaults: rich's highlighted tracebacks took 5-15 s each under load, on the event loop, so a
            # burst of errors (the database restarting) froze every request; plain text when nobody watches.
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False)
            if sys.stderr.isatty()
            else structlog.dev.plain_traceback,
        )
    )
    # Tracebacks without local variables: a frame's locals can hold a password or a request body.
    exception_formatter: list[Any] = (
        [ExceptionRenderer(ExceptionDictTransformer(show_locals=False))] if settings.json_logs else []
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *exception_formatter,
            redact_processor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("duespark")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "duespark"] + [handler]
    root.setLevel(settings.log_level.upper())
    # uvicorn's own handlers would print every line a second time, unstructured; its access log
    # repeats what RequestContextMiddleware logs with the request id and without raw paths.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    # httpx logs every outgoing URL at INFO; provider URLs can carry ids and tokens.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


def clean_request_id(value: str | None) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one (never trust it into logs raw)."""
    if value and _REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The request id bound now; the API stores it on rows so the worker can log under the same id."""
    return get_contextvars().get("request_id")


@contextmanager
def bind_request_context(**values: Any) -> Iterator[None]:
    """Bind `request_id`, `invoice_id`, ... to every log record inside the block, then restore.

    The worker wraps each reminder it handles:
    `with bind_request_context(request_id=row.request_id, invoice_id=row.invoice_id): ...`
    """
    with bound_contextvars(**{k: v for k, v in values.items() if v is not None}):
        yield
