"""Every Prometheus metric DueSpark exports, and the small functions the domains call to feed them.

Counters and histograms live in prometheus_client's default registry. With several API
processes (`duespark serve --workers N`) set PROMETHEUS_MULTIPROC_DIR before start: each
process then writes its values to files there and `/metrics` adds them up. Values read from
the database (dispatch lag, worker heartbeat age) are computed at scrape time by callbacks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from duespark import __version__

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "unmatched"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SEND_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
_JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0)

REMINDER_EVENTS = ("planned", "sent", "failed", "canceled", "skipped")
# Gauges computed at scrape time from the database.
DISPATCH_LAG = "duespark_dispatch_lag_seconds"
WORKER_HEARTBEAT_AGE = "duespark_worker_heartbeat_age_seconds"
SCRAPE_TIME_GAUGES = (DISPATCH_LAG, WORKER_HEARTBEAT_AGE)
DELIVERY_EVENTS = ("delivered", "bounced", "complained", "opened", "clicked")

HTTP_REQUESTS = Counter(
    "duespark_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "duespark_http_request_duration_seconds",
    "Time from request to the last byte of the response, by route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
REMINDERS = Counter(
    "duespark_reminders",
    "Reminder lifecycle events: planned, sent, failed, canceled, skipped; by tone and email provider.",
    ["event", "tone", "provider"],
)
EMAIL_SEND_SECONDS = Histogram(
    "duespark_email_send_seconds",
    "Time the email provider took to accept one message.",
    ["provider"],
    buckets=_SEND_BUCKETS,
)
EMAIL_DELIVERY_EVENTS = Counter(
    "duespark_email_delivery_events",
    "Delivery outcomes reported back by the provider (delivered, bounced, complained, ...).",
    ["provider", "event"],
)
WEBHOOK_EVENTS = Counter(
    "duespark_webhook_events",
    "Incoming webhook events by source (stripe, postmark, ses) and outcome "
    "(processed, duplicate, ignored, invalid_signature, failed).",
    ["source", "outcome"],
)
INBOUND_MESSAGES = Counter(
    "duespark_inbound_messages",
    "Client emails filed under an invoice, by kind (reply, auto_reply, bounce).",
    ["kind"],
)
OUTGOING_WEBHOOK_OUTCOMES = ("delivered", "retried", "failed", "refused")
OUTGOING_WEBHOOKS = Counter(
    "duespark_outgoing_webhook_attempts",
    "Attempts to deliver an outgoing webhook by outcome: delivered (2xx), retried (will try again), "
    "failed (attempts exhausted), refused (the address is not public).",
    ["outcome"],
)
OUTGOING_WEBHOOK_SECONDS = Histogram(
    "duespark_outgoing_webhook_seconds",
    "Time a receiver took to answer one webhook attempt.",
    buckets=_SEND_BUCKETS,
)
SCHEDULER_JOB_RUNS = Counter(
    "duespark_scheduler_job_runs",
    "Scheduled job runs by job name and outcome (success, failure).",
    ["job", "outcome"],
)
SCHEDULER_JOB_SECONDS = Histogram(
    "duespark_scheduler_job_seconds",
    "Duration of scheduled job runs.",
    ["job"],
    buckets=_JOB_BUCKETS,
)
RATE_LIMITED = Counter(
    "duespark_rate_limited_requests",
    "Requests refused with 429, by limit name.",
    ["limit"],
)
CHECKOUT_FAILURE_REASONS = ("network", "key_refused", "key_unreadable", "stripe_error", "bad_response")
CHECKOUT_FAILURES = Counter(
    "duespark_checkout_failures",
    "Card checkouts a client asked for that could not be created (the pay page fell back to the other ways "
    "to pay), by reason: network, key_refused, key_unreadable, stripe_error, bad_response.",
    ["reason"],
)
PROMISE_OUTCOMES = ("made", "kept", "missed", "canceled")
PROMISES = Counter(
    "duespark_promises",
    "Clients' promises to pay by a date, by outcome: made, kept (paid by the date and grace), missed, "
    "canceled (by the user).",
    ["outcome"],
)

# Gauges read from the database when Prometheus scrapes; each returns seconds or None (nothing to report).
GaugeCallback = Callable[[], float | None]
_scrape_gauges: dict[str, tuple[str, GaugeCallback]] = {}


def _label(value: str | None) -> str:
    return value or "unknown"


def record_reminder_event(event: str, tone: str | None, provider: str | None) -> None:
    """Count one reminder event; `event` is one of REMINDER_EVENTS."""
    if event not in REMINDER_EVENTS:
        raise ValueError(f"unknown reminder event {event!r}; expected one of {REMINDER_EVENTS}")
    REMINDERS.labels(event=event, tone=_label(tone), provider=_label(provider)).inc()


def record_outgoing_webhook(outcome: str, seconds: float | None) -> None:
    """Count one outgoing webhook attempt; `outcome` is one of OUTGOING_WEBHOOK_OUTCOMES."""
    if outcome not in OUTGOING_WEBHOOK_OUTCOMES:
        raise ValueError(f"unknown outgoing webhook outcome {outcome!r}")
    OUTGOING_WEBHOOKS.labels(outcome=outcome).inc()
    if seconds is not None:
        OUTGOING_WEBHOOK_SECONDS.observe(seconds)


def record_checkout_failure(reason: str) -> None:
    """Count one failed card checkout; `reason` is one of CHECKOUT_FAILURE_REASONS (else stripe_error)."""
    CHECKOUT_FAILURES.labels(reason=reason if reason in CHECKOUT_FAILURE_REASONS else "stripe_error").inc()


def record_promise(outcome: str) -> None:
    """Count a promise made or its outcome; `outcome` is one of PROMISE_OUTCOMES."""
    if outcome not in PROMISE_OUTCOMES:
        raise ValueError(f"unknown promise outcome {outcome!r}; expected one of {PROMISE_OUTCOMES}")
    PROMISES.labels(outcome=outcome).inc()


def observe_send(seconds: float, provider: str | None = None) -> None:
    """Record how long one provider call took (successful or not)."""
    EMAIL_SEND_SECONDS.labels(provider=_label(provider)).observe(seconds)


def record_delivery_event(event: str, provider: str | None) -> None:
    """Count a delivery outcome from a provider webhook; feeds the bounce-rate alert."""
    EMAIL_DELIVERY_EVENTS.labels(provider=_label(provider), event=event).inc()


def record_webhook(source: str, outcome: str) -> None:
    WEBHOOK_EVENTS.labels(source=source, outcome=outcome).inc()


def record_rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(limit=limit).inc()


@contextmanager
def track_job(name: str) -> Iterator[None]:
    """Time a scheduled job and count it as a success, or a failure when it raises."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        SCHEDULER_JOB_RUNS.labels(job=name, outcome="failure").inc()
        raise
    else:
        SCHEDULER_JOB_RUNS.labels(job=name, outcome="success").inc()
    finally:
        SCHEDULER_JOB_SECONDS.labels(job=name).observe(time.perf_counter() - started)


def observe_http(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    HTTP_LATENCY.labels(method=method, route=route).observe(seconds)


def register_scrape_gauge(name: str, documentation: str, callback: GaugeCallback) -> None:
    """A gauge whose value is computed at scrape time; registering a name again replaces it."""
    _scrape_gauges[name] = (documentation, callback)


def register_dispatch_lag(callback: GaugeCallback) -> None:
    """`callback()` returns the age in seconds of the oldest due-but-unsent reminder (0 when none)."""
    register_scrape_gauge(DISPATCH_LAG, "Age of the oldest reminder that is due but not yet sent.", callback)


class _ScrapeTimeCollector(Collector):
    def collect(self):
        yield InfoMetricFamily("duespark_build", "The running DueSpark version.", value={"version": __version__})
        for name, (documentation, callback) in list(_scrape_gauges.items()):
            try:
                value = callback()
            except Exception:  # a broken gauge must not break the scrape
                value = None
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


_SCRAPE_COLLECTOR = _ScrapeTimeCollector()
REGISTRY.register(_SCRAPE_COLLECTOR)


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def prepare_multiprocess_dir(path: Path) -> None:
    """Empty the directory before the processes start, as prometheus_client requires."""
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def render_latest() -> tuple[bytes, str]:
    """The exposition text for one scrape, summed across processes in multi-process mode."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_COLLECTOR)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def start_metrics_server(port: int, address: str = "127.0.0.1") -> tuple[Any, Any]:
    """Expose this process's metrics on their own port (for `duespark worker`, which has no web server).

    Returns the server and its thread; `server.shutdown()` stops it.
    """
    from prometheus_client import start_http_server

    if multiprocess_dir() is None:
        return start_http_server(port, addr=address)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_COLLECTOR)
    return start_http_server(port, addr=address, registry=registry)
