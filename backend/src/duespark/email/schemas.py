from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from duespark.email.templates import MAX_SUBJECT_CHARS, MAX_TEMPLATE_BYTES
from duespark.tenancy import ObjectId


class VariableOut(BaseModel):
    name: str
    description: str
    example: str


class TemplateOverrideOut(BaseModel):
    locale: str
    updated_at: datetime


class TemplateKeyOut(BaseModel):
    key: str
    description: str
    default_locales: list[str]
    custom_locales: list[TemplateOverrideOut]
    variables: list[str]


class TemplateCatalog(BaseModel):
    keys: list[TemplateKeyOut]
    default_locales: list[str]
    variables: list[VariableOut] = Field(description="Every variable a template can use, e.g. {{ amount_due }}")
    max_template_bytes: int = MAX_TEMPLATE_BYTES


class TemplateOut(BaseModel):
    key: str
    locale: str = Field(description="The locale of the text shown (a fallback when the asked one has none)")
    subject: str
    body: str = Field(description="Markdown with Jinja2 variables")
    is_default: bool
    updated_at: datetime | None


class TemplateIn(BaseModel):
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_CHARS)
    # The 50 KB limit is checked by the service so the error can name the line; this only stops abuse.
    body: str = Field(min_length=1, max_length=4 * MAX_TEMPLATE_BYTES)


class PreviewIn(BaseModel):
    template_key: str | None = Field(
        default=None, description="friendly, due_today, firm, urgent, final or thank_you; omit with reminder_id"
    )
    invoice_id: ObjectId | None = Field(default=None, description="Omit for a sample invoice")
    reminder_id: ObjectId | None = Field(
        default=None, description="Preview this planned reminder: its invoice and its (adapted) template"
    )
    locale: str | None = Field(default=None, description="For the sample invoice: the client's language")
    subject: str | None = Field(default=None, max_length=MAX_SUBJECT_CHARS, description="Unsaved subject to try")
    body: str | None = Field(default=None, max_length=4 * MAX_TEMPLATE_BYTES, description="Unsaved body to try")


class LateFeeOut(BaseModel):
    amount: str
    currency: str
    description: str


class PreviewOut(BaseModel):
    template_key: str
    locale: str
    is_default_template: bool
    to: str
    from_: str = Field(alias="from")
    reply_to: str | None
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    reminder_state: str | None = Field(default=None, description="With reminder_id: the reminder's state")
    reminder_reason: str | None = Field(
        default=None, description="With reminder_id: why it is planned this way (adaptations), in words"
    )
    late_fee: LateFeeOut | None = Field(
        default=None,
        description="With reminder_id: the late fee its step would add if sent on its planned day "
        "(charged only when it is really sent)",
    )

    model_config = ConfigDict(populate_by_name=True)


class MessageEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    type: str
    occurred_at: datetime
    payload: dict[str, Any]


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    template_key: str | None
    reminder_id: int | None
    to_email: str
    subject: str
    provider: str
    provider_message_id: str | None
    status: str
    is_test: bool
    error: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    bounced_at: datetime | None
    complained_at: datetime | None
    events: list[MessageEventOut]


class MessageList(BaseModel):
    items: list[MessageOut]


class SuppressionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    reason: str
    detail: str | None
    scope: str = Field(description="account (yours to lift) or global (a hard bounce: the mailbox does not exist)")
    created_at: datetime


class SuppressionList(BaseModel):
    items: list[SuppressionOut]


class WebhookAck(BaseModel):
    status: str = Field(description="processed, or duplicate when this event was already received")
