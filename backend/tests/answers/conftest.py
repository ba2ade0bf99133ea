"""The answers share the reminder engine's committed databases and worker fixtures."""

from tests.reminders.conftest import (  # noqa: F401  # fixtures
    _listeners,
    clock,
    committed_url,
    db,
    pg_db,
    pg_url,
    provider,
    worker,
    worker_settings,
)
