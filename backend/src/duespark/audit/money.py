"""The money in audit entries, for people: `changes` keeps integer minor units (125000), the API adds the
decimal string with its currency ("1250.00" EUR) so the web app formats it like every other amount.

The currency comes from the entry itself (`currency`, or each side of a `currency` edit); an invoice's
edit that changed only the amount names no currency, so its invoice's currency is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.audit.schemas import AuditEntryOut, AuditMoney, MoneyOut
from duespark.models import Invoice
from duespark.money import MoneyError, format_amount

SUFFIX = "_minor"


def _side(value: Any, side: str) -> Any:
    return value.get(side) if isinstance(value, dict) else value


def _money(minor: Any, currency: Any) -> MoneyOut | None:
    if isinstance(minor, bool) or not isinstance(minor, int) or not isinstance(currency, str):
        return None
    try:
        return MoneyOut(amount=format_amount(minor, currency), currency=currency)
    except (MoneyError, KeyError, ValueError):
        return None


def _fields(changes: dict[str, Any] | None) -> list[str]:
    return [key for key in changes or {} if key.endswith(SUFFIX)]


def add_money(session: Session, *, account_id: int, entries: Sequence[AuditEntryOut]) -> None:
    """Fill `money` on each entry with a money field; one query for the invoices' currencies."""
    needs_invoice = {
        e.entity_id
        for e in entries
        if _fields(e.changes) and "currency" not in (e.changes or {}) and e.entity_type == "invoice" and e.entity_id
    }
    currencies: dict[int, str] = {}
    if needs_invoice:
        currencies = dict(
            session.execute(
                select(Invoice.id, Invoice.currency).where(
                    Invoice.account_id == account_id, Invoice.id.in_(needs_invoice)
                )
            ).all()
        )
    for entry in entries:
        changes = entry.changes or {}
        fallback = currencies.get(entry.entity_id or 0)
        currency = changes.get("currency", fallback)
        for key in _fields(changes):
            value = changes[key]
            if isinstance(value, dict) and "before" in value and "after" in value:
                money = AuditMoney(
                    before=_money(value["before"], _side(currency, "before")),
                    after=_money(value["after"], _side(currency, "after")),
                )
                if money.before is None and money.after is None:
                    continue
            else:
                single = _money(value, _side(currency, "after"))
                if single is None:
                    continue
                money = AuditMoney(value=single)
            entry.money[key] = money
