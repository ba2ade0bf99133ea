from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from duespark.auth.schemas import PASSWORD_MIN


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=256)


class PasswordResetRequestIn(BaseModel):
    email: EmailStr


class PasswordResetIn(BaseModel):
    token: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=256)


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    detail: str


class EmailVerified(BaseModel):
    email: str
    email_verified: bool
