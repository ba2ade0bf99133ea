from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from duespark.money import MoneyError, normalize_currency
from duespark.textfields import SingleLine

PASSWORD_MIN = 10


def check_timezone(value: str | None) -> str | None:
    if value is not None and value not in available_timezones():
        raise ValueError(f"{value!r} is not an IANA timezone such as Europe/Berlin")
    return value


def check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_currency(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


class RegisterIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=PASSWORD_MIN, max_length=256)
    name: SingleLine = Field(min_length=1, max_length=200)
    company_name: SingleLine | None = Field(default=None, max_length=200)
    timezone: str | None = None
    default_currency: str | None = None

    _tz = field_validator("timezone")(check_timezone)
    _cur = field_validator("default_currency")(check_currency)


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=512)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    default_currency: str
    timezone: str
    locale: str
    sender_name: str | None
    sender_email: str | None
    payment_instructions: str | None
    test_mode: bool


class AccountUpdate(BaseModel):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    default_currency: str | None = None
    timezone: str | None = None
    locale: str | None = Field(default=None, pattern=r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
    sender_name: SingleLine | None = Field(default=None, max_length=200)
    sender_email: EmailStr | None = None
    payment_instructions: str | None = Field(default=None, max_length=5000)

    _tz = field_validator("timezone")(check_timezone)
    _cur = field_validator("default_currency")(check_currency)


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    email_verified: bool
    role: str
    account: AccountOut
    public_url: str = Field(
        description="Where links in emails point (DUESPARK_PUBLIC_URL): payment, portal and unsubscribe links"
    )


class MeUpdate(BaseModel):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    current_password: str | None = Field(default=None, max_length=256)
    new_password: str | None = Field(default=None, min_length=PASSWORD_MIN, max_length=256)


class ApiTokenIn(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=100)


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once; store it now.")


class ApiTokenList(BaseModel):
    items: list[ApiTokenOut]
