from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field, field_validator

from duespark.auth.schemas import check_timezone
from duespark.insights.behaviour import PayerRating
from duespark.models.enums import ClientType
from duespark.textfields import SingleLine

LOCALE_PATTERN = r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$"


class ClientBase(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    company: SingleLine | None = Field(default=None, max_length=200)
    client_type: ClientType = ClientType.business
    timezone: str | None = None
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN)
    notes: str | None = Field(default=None, max_length=10_000)
    reminders_paused: bool = False
    reminders_paused_until: date | None = None
    adaptive_reminders: bool | None = Field(
        default=None, description="Adapt reminders to how this client pays; null follows the account's setting"
    )

    _tz = field_validator("timezone")(check_timezone)


class ClientCreate(ClientBase):
    pass


class ClientUpdate(BaseModel):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    company: SingleLine | None = Field(default=None, max_length=200)
    client_type: ClientType | None = None
    timezone: str | None = None
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN)
    notes: str | None = Field(default=None, max_length=10_000)
    reminders_paused: bool | None = None
    reminders_paused_until: date | None = None
    adaptive_reminders: bool | None = Field(
        default=None, description="Adapt reminders to how this client pays; null follows the account's setting"
    )

    _tz = field_validator("timezone")(check_timezone)


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    company: str | None
    client_type: ClientType
    timezone: str | None
    locale: str | None
    notes: str | None
    reminders_paused: bool
    reminders_paused_until: date | None
    adaptive_reminders: bool | None
    needs_personal_follow_up: bool = Field(
        description="The last invoices were paid only after the final notice: reach out in person"
    )
    follow_up_reason: str | None
    unsubscribed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="Why DueSpark sends this client no automatic reminders any more (null while it does): "
        "they used the unsubscribe link, so follow up in person"
    )
    @property
    def reminders_stopped_reason(self) -> str | None:
        if self.unsubscribed_at is None:
            return None
        return (
            f"{self.name} unsubscribed from payment reminders on {self.unsubscribed_at.date().isoformat()}: "
            "DueSpark sends this client no more automatic reminders. Follow up in person about open invoices."
        )


class ClientBalance(BaseModel):
    currency: str
    outstanding: str = Field(description="Unsettled balance in this currency, fees included")
    overdue: str = Field(description="The part of `outstanding` past its due date")


class ClientListItem(ClientOut):
    """A client in the list, with what they owe: the worklist "who owes me most"."""

    currency: str = Field(description="The account's default currency: the currency of outstanding and overdue")
    outstanding: str = Field(description="Unsettled balance in the account's currency, fees included")
    overdue: str = Field(description="The part of `outstanding` past its due date")
    open_invoices: int = Field(description="Unsettled invoices in the account's currency")
    oldest_overdue_days: int | None = Field(
        description="Days the oldest overdue invoice (any currency) is past its due date; null when none is"
    )
    other_currencies: list[ClientBalance] = Field(description="Balances in currencies other than the account's")
    payer_rating: PayerRating
