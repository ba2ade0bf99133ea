from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from duespark.auth.schemas import PASSWORD_MIN
from duespark.models.enums import Role
from duespark.tenancy import ObjectId
from duespark.textfields import SingleLine

InvitedRole = Literal["admin", "member", "viewer"]


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    email: str
    name: str
    role: Role
    joined_at: datetime


class MemberList(BaseModel):
    items: list[MemberOut]


class RoleChange(BaseModel):
    role: Role


class OwnershipTransfer(BaseModel):
    user_id: ObjectId = Field(description="The member who becomes owner; you become admin")


class InvitationIn(BaseModel):
    email: EmailStr
    role: InvitedRole


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    created_at: datetime
    sent_at: datetime
    expires_at: datetime


class InvitationList(BaseModel):
    items: list[InvitationOut]


class InvitationToken(BaseModel):
    token: str = Field(min_length=1, max_length=512, description="The token from the invitation link")


class InvitationPreview(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_name: str
    email: str
    role: Role
    invited_by: str | None
    has_user: bool = Field(description="A user with this address exists: sign in to accept, else sign up")


class InvitedSignUp(InvitationToken):
    email: EmailStr = Field(description="Must be the invited address")
    name: SingleLine = Field(min_length=1, max_length=200)
    password: str = Field(min_length=PASSWORD_MIN, max_length=256)


class AccountChoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    current: bool


class AccountChoiceList(BaseModel):
    items: list[AccountChoiceOut]


class SwitchAccount(BaseModel):
    account_id: ObjectId
