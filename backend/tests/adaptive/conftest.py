"""The committed-database fixtures of tests/reminders, for the dispatcher's statement tests."""

from tests.reminders.conftest import _listeners, clock, committed_url, db, provider, worker_settings

__all__ = ["_listeners", "clock", "committed_url", "db", "provider", "worker_settings"]
