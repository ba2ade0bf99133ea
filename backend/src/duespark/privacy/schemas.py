from __future__ import annotations

from pydantic import BaseModel, Field


class DeleteMeIn(BaseModel):
    password: str = Field(max_length=256, description="The current password, to confirm the erasure.")


class ErasureOut(BaseModel):
    deleted_accounts: list[int]
    left_accounts: list[int]
    rows_deleted: dict[str, int]
