"""The clients list as a worklist: what each client owes, how late, and how they usually pay.

One page of clients costs three queries whatever its size: the page itself (clients LEFT JOIN one GROUP BY of
their unsettled invoices in the account's currency, so "who owes me most" sorts in SQL), the other currencies'
balances of the page's clients, and the payment behaviour of the page's clients. Never one query per client.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from duespark.clients.schemas import ClientBalance, ClientListItem, ClientOut
from duespark.clients.service import CLIENT_SORTS, client_query
from duespark.clock import Clock, today_in
from duespark.errors import InvalidInput
from duespark.insights import behaviour
from duespark.insights.behaviour import DelayStats, RatingThresholds
from duespark.models import Account, Client, Invoice
from duespark.models.enums import InvoiceStatus
from duespark.money import format_amount
from duespark.pagination import PageParams, paginate

UNSETTLED = (InvoiceStatus.open.value, InvoiceStatus.partially_paid.value)
BALANCE_SORTS = ("outstanding", "overdue", "oldest_overdue")
SORTS = tuple(sorted((*CLIENT_SORTS, *BALANCE_SORTS)))


def _balances(account_id: int, today: date, currency: str | None) -> Any:
    """Per client: outstanding and overdue balances, the oldest overdue due date and the unsettled count."""
    balance = Invoice.balance_minor
    overdue = Invoice.due_date < today
    conditions = [Invoice.account_id == account_id, Invoice.status.in_(UNSETTLED)]
    columns = [Invoice.client_id]
    if currency is None:
        columns.append(Invoice.currency)
    else:
        conditions.append(Invoice.currency == currency)
    stmt = select(
        *columns,
        func.sum(balance).label("outstanding"),
        func.coalesce(func.sum(case((overdue, balance), else_=0)), 0).label("overdue"),
        func.min(case((overdue, Invoice.due_date), else_=None)).label("oldest_due"),
        func.count().label("invoices"),
    ).where(*conditions)
    return stmt.group_by(*columns)


def _ordered(stmt: Select[Any], balances: Any, sort: str) -> Select[Any]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column = {
        "outstanding": func.coalesce(balances.c.outstanding, 0),
        "overdue": func.coalesce(balances.c.overdue, 0),
        # Oldest overdue first when descending: an earlier due date is older. Clients with nothing overdue last.
        "oldest_overdue": balances.c.oldest_due,
    }[key]
    if key == "oldest_overdue":
        order = [balances.c.oldest_due.is_(None), column.asc() if descending else column.desc()]
    else:
        order = [column.desc() if descending else column.asc()]
    return stmt.order_by(None).order_by(*order, Client.name, Client.id)


def list_clients(
    session: Session,
    *,
    account_id: int,
    q: str | None,
    sort: str,
    paging: PageParams,
    thresholds: RatingThresholds,
    clock: Clock,
) -> tuple[list[ClientListItem], int]:
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise InvalidInput("sort", f"Sort by one of {', '.join(SORTS)}, with - for descending")
    account = session.execute(select(Account.default_currency, Account.timezone).where(Account.id == account_id)).one()
    currency, timezone = account.default_currency, account.timezone or "UTC"
    today = today_in(clock, timezone)

    main = _balances(account_id, today, currency).subquery("main_balances")
    base = client_query(account_id, q=q, sort="name" if key in BALANCE_SORTS else sort)
    stmt = base.outerjoin(main, main.c.client_id == Client.id).add_columns(
        main.c.outstanding, main.c.overdue, main.c.oldest_due, main.c.invoices
    )
    if key in BALANCE_SORTS:
        stmt = _ordered(stmt, main, sort)
    count = select(func.count()).select_from(base.order_by(None).subquery())
    rows, total = paginate(session, stmt, paging, count=count)
    ids = [row[0].id for row in rows]

    others: dict[int, list[ClientBalance]] = {}
    other_oldest: dict[int, list[Any]] = {}
    if ids:
        every = _balances(account_id, today, None).where(Invoice.client_id.in_(ids), Invoice.currency != currency)
        for row in session.execute(every.order_by(Invoice.client_id, Invoice.currency)):
            if row.oldest_due is not None:
                other_oldest.setdefault(row.client_id, []).append(_as_date(row.oldest_due))
            others.setdefault(row.client_id, []).append(
                ClientBalance(
                    currency=row.currency,
                    outstanding=format_amount(int(row.outstanding), row.currency),
                    overdue=format_amount(int(row.overdue), row.currency),
                )
            )
    stats = _behaviour(session, account_id=account_id, timezone=timezone, clock=clock, client_ids=ids)

    items = []
    for client, outstanding, overdue, oldest_due, invoices in rows:
        client_others = others.get(client.id, [])
        oldest_dates = [_as_date(oldest_due)] if oldest_due is not None else []
        oldest_dates += other_oldest.get(client.id, [])
        items.append(
            ClientListItem(
                **ClientOut.model_validate(client).model_dump(),
                currency=currency,
                outstanding=format_amount(int(outstanding or 0), currency),
                overdue=format_amount(int(overdue or 0), currency),
                open_invoices=int(invoices or 0),
                oldest_overdue_days=(today - min(oldest_dates)).days if oldest_dates else None,
                other_currencies=client_others,
                payer_rating=behaviour.rate(stats.get(client.id, DelayStats()), thresholds),
            )
        )
    return items, total


def _behaviour(
    session: Session, *, account_id: int, timezone: str, clock: Clock, client_ids: list[int]
) -> dict[int, DelayStats]:
    """The payment behaviour of the listed clients only, in one GROUP BY (the same aggregates as insights)."""
    if not client_ids:
        return {}
    delay = behaviour._delay(timezone)
    delays = select(Invoice.client_id, delay.label("delay")).where(
        *behaviour.paid_before(account_id, clock.now()), Invoice.client_id.in_(client_ids)
    )
    inner = delays.subquery("delays")
    rows = session.execute(select(inner.c.client_id, *behaviour._aggregates(inner.c.delay)).group_by(inner.c.client_id))
    return {row.client_id: behaviour.stats_from_row(row) for row in rows}


def _as_date(value: Any) -> date:
    # SQLite returns MIN() over a CASE as text; PostgreSQL as a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
