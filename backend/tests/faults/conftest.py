"""The fault tests reuse the reminder engine's committed databases (SQLite and PostgreSQL)."""

from tests.reminders.conftest import _listeners, committed_url, db

__all__ = ["_listeners", "committed_url", "db"]
