"""Time is passed in, never read inside domain code, so tests and the CLI can say "now is X"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; for tests and `--now`."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._at = self._at + (delta or timedelta(**kwargs))
        return self._at


def ensure_utc(value: datetime) -> datetime:
    """Refuse naive datetimes: an instant without a zone is a bug waiting for a DST change."""
    if value.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a trailing Z and an explicit offset are both accepted."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone; add Z or an offset such as +01:00")
    return value.astimezone(UTC)


def today_in(clock: Clock, timezone: str) -> date:
    """The calendar date it is now in a timezone (an account's or a client's)."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()
