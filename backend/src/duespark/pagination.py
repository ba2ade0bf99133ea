from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 50


async def page_params(  # a coroutine: no worker thread for parsing two numbers (see deps.py)
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(
    session: Session, stmt: Select[Any], params: PageParams, *, count: Select[Any] | None = None
) -> tuple[list[Any], int]:
    """One page of rows and the total count of the unpaginated query (or of `count`, a cheaper query
    counting the same rows)."""
    count = count if count is not None else select(func.count()).select_from(stmt.order_by(None).subquery())
    total = session.scalar(count) or 0
    rows = session.execute(stmt.limit(params.page_size).offset((params.page - 1) * params.page_size)).all()
    return [row[0] if len(row) == 1 else row for row in rows], total
