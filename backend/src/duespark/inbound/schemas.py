from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from duespark.tenancy import ObjectId

MAX_ANSWER_CHARS = 20_000


class AttachmentOut(BaseModel):
    filename: str
    content_type: str
    size: int
    inline: bool
    kept: bool = Field(description="Small enough to be kept: downloadable from DueSpark")


class AnswerOut(BaseModel):
    id: ObjectId
    text: str
    status: str = Field(description="queued, sent, delivered, bounced, failed ... (the outbox message)")
    created_at: datetime


class ReplyOut(BaseModel):
    id: ObjectId
    kind: str = Field(description="reply, auto_reply (out of office: pauses nothing) or bounce")
    invoice_id: ObjectId | None
    invoice_ids: list[ObjectId] = Field(description="Every invoice of the statement it answers (one otherwise)")
    client_id: ObjectId | None
    from_email: str
    from_name: str | None
    subject: str
    text: str = Field(description="The reply alone: quoted history and signature removed; plain text")
    html: str | None = Field(description="The mail's HTML, sanitized (no scripts, styles, handlers or images)")
    attachments: list[AttachmentOut]
    received_at: datetime
    answered_at: datetime | None
    answer: AnswerOut | None = None


class ReplyList(BaseModel):
    items: list[ReplyOut]
    total: int


class AnswerIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)


class AnsweredIn(BaseModel):
    answered: bool = True


class ReplySettings(BaseModel):
    reply_hold_days: int = Field(ge=0, le=60, description="Days a reply holds the invoice's reminders")
    forward_replies: bool = Field(description="Forward each reply to the owner's address (else kept in DueSpark)")
    reply_address_enabled: bool = Field(
        default=False, description="Whether reminders carry a routed reply address (DUESPARK_INBOUND_DOMAIN is set)"
    )


class ReplySettingsIn(BaseModel):
    reply_hold_days: int | None = Field(default=None, ge=0, le=60)
    forward_replies: bool | None = None


class InboundAck(BaseModel):
    status: Literal["filed", "duplicate", "unmatched"]
    id: ObjectId | None = None
