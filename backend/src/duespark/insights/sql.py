"""Date arithmetic that compiles to the right SQL on PostgreSQL and on SQLite.

Queries are written once with these constructs; each one renders per dialect, so the same
query runs on both databases. On SQLite dates are ISO text, so comparisons stay lexical and
correct; `duespark_local_date` is a function registered on every SQLite connection (db.py).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Date, Float, Integer, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

Granularity = Literal["day", "week", "month"]


class local_date(FunctionElement[Any]):
    """The calendar date of a UTC timestamp in a timezone: `local_date(paid_at, "Europe/Berlin")`."""

    type = Date()
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw) -> str:
    instant, timezone = list(element.clauses)
    return f"CAST(timezone({compiler.process(timezone, **kw)}, {compiler.process(instant, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw) -> str:
    instant, timezone = list(element.clauses)
    return f"duespark_local_date({compiler.process(instant, **kw)}, {compiler.process(timezone, **kw)})"


class days_between(FunctionElement[Any]):
    """Whole days from the second date to the first: `days_between(paid_on, due_date)`, negative when earlier."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return f"(CAST({compiler.process(later, **kw)} AS DATE) - CAST({compiler.process(earlier, **kw)} AS DATE))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


class add_days(FunctionElement[Any]):
    """A date plus a whole number of days (an integer expression or literal)."""

    type = Date()
    inherit_cache = True


@compiles(add_days, "postgresql")
def _add_days_pg(element, compiler, **kw) -> str:
    day, days = list(element.clauses)
    return f"(CAST({compiler.process(day, **kw)} AS DATE) + CAST({compiler.process(days, **kw)} AS INTEGER))"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw) -> str:
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, printf('%+d days', {compiler.process(days, **kw)}))"


class seconds_between(FunctionElement[Any]):
    """Seconds from the second timestamp to the first."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = list(element.clauses)
    return f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})) * 86400.0)"


class round_half_away(FunctionElement[Any]):
    """Round to the nearest integer, halves away from zero, identically on both databases
    (a plain CAST rounds on PostgreSQL but truncates on SQLite)."""

    type = Integer()
    inherit_cache = True


@compiles(round_half_away, "postgresql")
def _round_pg(element, compiler, **kw) -> str:
    (value,) = list(element.clauses)
    return f"CAST(round(CAST({compiler.process(value, **kw)} AS NUMERIC)) AS INTEGER)"


@compiles(round_half_away, "sqlite")
def _round_sqlite(element, compiler, **kw) -> str:
    (value,) = list(element.clauses)
    return f"CAST(round({compiler.process(value, **kw)}) AS INTEGER)"


class week_start(FunctionElement[Any]):
    """The Monday of the ISO week containing a date."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "postgresql")
def _week_start_pg(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('week', CAST({compiler.process(day, **kw)} AS DATE)) AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is that week's Monday.
    return f"date({compiler.process(day, **kw)}, 'weekday 0', '-6 days')"


class month_start(FunctionElement[Any]):
    """The first day of the month containing a date."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_pg(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('month', CAST({compiler.process(day, **kw)} AS DATE)) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, 'start of month')"


def period_start(day: ColumnElement[Any], granularity: Granularity) -> ColumnElement[Any]:
    """The first day of the period (day, ISO week, month) containing a date."""
    if granularity == "week":
        return week_start(day)
    if granularity == "month":
        return month_start(day)
    return day


def later_of(first: ColumnElement[Any], second: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two dates (GREATEST on PostgreSQL is spelled max() on SQLite; CASE is both)."""
    return case((first > second, first), else_=second)
