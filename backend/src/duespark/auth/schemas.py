from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field, field_validator

from duespark.models.enums import Role
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
    code: str | None = Field(
        default=None, max_length=64, description="The authenticator's 6 digits, or a recovery code (two-factor users)"
    )
    remember_device: bool = Field(default=False, description="Skip the code on this browser for 30 days")


class TwoFactorStatus(BaseModel):
    enabled: bool
    recovery_codes_left: int
    required_by_account: bool


class TwoFactorEnrolment(BaseModel):
    secret: str = Field(description="Base32, for typing into an app that cannot scan")
    otpauth_uri: str
    qr_svg: str = Field(description="The otpauth URI as a QR code: a data: URI of an SVG image")


class TwoFactorCode(BaseModel):
    code: str = Field(min_length=1, max_length=64)


class TwoFactorDisable(TwoFactorCode):
    password: str = Field(max_length=256)


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once; each signs in once instead of a code")


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
    audit_record_ip: bool
    audit_retention_days: int
    require_two_factor: bool
    address: str | None = Field(default=None, description="Postal address, one line per line, on generated PDFs")
    tax_id: str | None = Field(default=None, description="VAT or tax id on generated PDFs")
    logo_key: str | None = Field(default=None, exclude=True)

    @computed_field(description="A logo was uploaded (PUT /api/documents/logo)")  # type: ignore[prop-decorator]
    @property
    def has_logo(self) -> bool:
        return self.logo_key is not None


class AccountUpdate(BaseModel):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    default_currency: str | None = None
    timezone: str | None = None
    locale: str | None = Field(default=None, pattern=r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
    sender_name: SingleLine | None = Field(default=None, max_length=200)
    sender_email: EmailStr | None = None
    payment_instructions: str | None = Field(default=None, max_length=5000)
    address: str | None = Field(default=None, max_length=1000)
    tax_id: SingleLine | None = Field(default=None, max_length=64)
    audit_record_ip: bool | None = Field(default=None, description="Keep the IP address of each audit entry")
    audit_retention_days: int | None = Field(default=None, ge=30, le=3650, description="Days audit entries are kept")
    require_two_factor: bool | None = Field(default=None, description="Every member signs in with a code (owners only)")

    _tz = field_validator("timezone")(check_timezone)
    _cur = field_validator("default_currency")(check_currency)


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    email_verified: bool
    role: Role
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
    read_only: bool = Field(
        default=False, description="Only reads (GET); otherwise the token may do what its creator's role may"
    )


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    read_only: bool


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once; store it now.")


class ApiTokenList(BaseModel):
    items: list[ApiTokenOut]


class SessionOut(BaseModel):
    family_id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None = Field(description="Only when the account records addresses")
    current: bool


class SessionList(BaseModel):
    items: list[SessionOut]


class SignedOut(BaseModel):
    signed_out: int = Field(description="Refresh tokens revoked")
