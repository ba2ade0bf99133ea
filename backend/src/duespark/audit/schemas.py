from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ActorKind = Literal["user", "token", "system"]


class MoneyOut(BaseModel):
    amount: str = Field(description='Decimal string in the currency\'s unit: "1250.00"')
    currency: str


class AuditMoney(BaseModel):
    """One money field of `changes`: `value` for a fact, `before`/`after` for an edit."""

    value: MoneyOut | None = None
    before: MoneyOut | None = None
    after: MoneyOut | None = None


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_kind: ActorKind
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: int | None
    changes: dict[str, Any] | None
    ip: str | None
    money: dict[str, AuditMoney] = Field(
        default_factory=dict,
        description="The money fields of `changes` (integer minor units, keys ending in `_minor`) as decimal "
        "strings with their currency, keyed as in `changes`; `changes` keeps the integers",
    )


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    page_size: int
