"""The providers' date formats: Xero's Microsoft JSON dates and ISO strings, QuickBooks' ISO dates."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")

_MS_JSON_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


class RowError(ValueError):
    """One record the sync cannot take; kept with the reason, the rest of the page goes on."""


def parse_date(value: Any, *, field: str) -> date:
    """`2026-11-02`, `2026-11-02T00:00:00`, or Xero's `/Date(1793577600000+0000)/`."""
    if isinstance(value, str):
        match = _MS_JSON_DATE.fullmatch(value)
        if match:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match.group(1)))
            return moment.date()
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise RowError(f"{field} is not a date: {str(value)[:40]!r}")


def parse_decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise RowError(f"{field} is missing")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RowError(f"{field} is not a number: {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise RowError(f"{field} is not a number")
    return number


def text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:limit] or None


def parse_rows(parse: Callable[[dict[str, Any]], T], rows: list[Any], id_key: str) -> tuple[list[T], list[str]]:
    """Each row read on its own: one that cannot be read is kept as "<id>: <reason>" and the rest go on."""
    items: list[T] = []
    errors: list[str] = []
    for row in rows:
        if not isinstance(row, dict):
            errors.append(f"?: not an object ({type(row).__name__})")
            continue
        try:
            items.append(parse(row))
        except RowError as exc:
            errors.append(f"{str(row.get(id_key) or '?')[:64]}: {exc}")
    return items, errors
