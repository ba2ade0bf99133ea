"""The one place tenant data is filtered by account, so no router can forget it."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from annotated_types import Ge, Le
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from duespark.errors import NotFound

T = TypeVar("T")

# Ids are 64-bit on PostgreSQL and SQLite; a larger number cannot name a row and would overflow the
# database driver (a 500), so every id the API accepts (path, query or body) is declared this way.
MAX_OBJECT_ID = 2**63 - 1
ObjectId = Annotated[int, Ge(1), Le(MAX_OBJECT_ID)]


def parse_object_id(value: Any) -> int | None:
    """An id written as text (a URL segment, Stripe metadata), or None for anything that cannot be one:
    `"²".isdigit()` is true but int() refuses it, and 30 digits overflow the database driver."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_OBJECT_ID))):
        return None
    number = int(text)
    return number if 0 < number <= MAX_OBJECT_ID else None


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
