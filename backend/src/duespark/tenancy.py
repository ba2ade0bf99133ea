"""The one place tenant data is filtered by account, so no router can forget it."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from duespark.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], account_id: int, *columns: Any) -> Select[Any]:
    """`SELECT model (or columns) WHERE model.account_id = :account_id`."""
    stmt = select(*columns) if columns else select(model)
    return stmt.where(model.account_id == account_id)  # type: ignore[attr-defined]


def get_owned(session: Session, model: type[T], object_id: int, account_id: int, *, what: str) -> T:
    """The object if it belongs to the account; another account's id is indistinguishable from none."""
    obj = session.scalars(scoped(model, account_id).where(model.id == object_id)).first()  # type: ignore[attr-defined]
    deleted_at = getattr(obj, "deleted_at", None)
    if obj is None or deleted_at is not None:
        raise NotFound(what)
    return obj
