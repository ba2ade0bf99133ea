from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from duespark.outgoing_webhooks.events import EVENT_TYPES
from duespark.textfields import SingleLine

URL_FIELD = Field(max_length=2000, description="A public https URL that receives POSTed events")
DESCRIPTION_FIELD = Field(default=None, max_length=200, description="What the endpoint is for, shown in the list")
TYPES_FIELD = Field(min_length=1, max_length=len(EVENT_TYPES), description="The event types it receives")


def _known_types(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [t for t in value if t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0][:64]!r}; see GET /api/webhooks/event-types")
    return sorted(set(value))


class EndpointCreate(BaseModel):
    url: str = URL_FIELD
    description: SingleLine = Field(default="", max_length=200, description="What the endpoint is for")
    event_types: list[str] = TYPES_FIELD

    _types = field_validator("event_types")(_known_types)


class EndpointUpdate(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    description: SingleLine | None = DESCRIPTION_FIELD
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=len(EVENT_TYPES))
    enabled: bool | None = Field(default=None, description="True enables a disabled endpoint again")

    _types = field_validator("event_types")(_known_types)


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None = Field(description="The first failed attempt since the last 2xx")
    last_success_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, the old secret also signs until then"
    )
    created_at: datetime
    updated_at: datetime

    model_config = {"from_attributes": True}


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="The whsec_ signing secret; shown once, here")


class EventTypeOut(BaseModel):
    type: str
    description: str
    data_fields: list[str] = Field(description="The fields of the event's `data` object, in order")


class DeliveryOut(BaseModel):
    id: int
    endpoint_id: int
    event_id: str = Field(description="The webhook-id header: the same on every attempt and resend")
    event_type: str
    status: str = Field(description="pending, sending, delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_response_code: int | None
    last_response_excerpt: str | None = Field(description="The first 512 bytes of the answer, or why none came")
    last_duration_ms: int | None
    delivered_at: datetime | None
    created_at: datetime
    body: str = Field(description="The JSON body sent")

    model_config = {"from_attributes": True}
