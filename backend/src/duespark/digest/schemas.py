from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DigestPreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="False: no daily digest for this member")
    send_hour: int = Field(default=7, ge=0, le=23, description="Local hour from which the day's digest goes out")
    timezone: str | None = Field(default=None, max_length=64, description="IANA name; null follows the account")
    locale: str | None = Field(default=None, max_length=16, description="en, de, fr, es; null follows the account")


class DigestPreferences(BaseModel):
    enabled: bool
    send_hour: int
    timezone: str | None
    locale: str | None
    effective_timezone: str = Field(description="The timezone the digest uses (the member's, else the account's)")
    effective_locale: str = Field(description="The language the digest uses (the member's, else the account's)")


class DigestPreview(BaseModel):
    local_date: date = Field(description="The member's local date the digest is for")
    empty: bool = Field(description="True: nothing to say, so no email would be sent")
    subject: str | None
    text: str | None
    html: str | None
