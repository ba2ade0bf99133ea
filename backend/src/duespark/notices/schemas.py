from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="What happened, e.g. checkout_failed")
    message: str = Field(description="What happened and what to do, for the user")
    count: int = Field(description="How many times it happened since it was first recorded")
    first_at: datetime
    last_at: datetime
