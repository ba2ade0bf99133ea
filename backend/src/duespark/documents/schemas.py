from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice_id: int
    file_name: str
    size_bytes: int
    sha256: str
    source: Literal["upload", "sync"]
    created_at: datetime


class DocumentList(BaseModel):
    items: list[DocumentOut]


class MatchedFile(BaseModel):
    file_name: str
    invoice_id: int
    invoice_number: str
    document: DocumentOut


class UnmatchedFile(BaseModel):
    file_name: str
    reason: str


class BulkUploadReport(BaseModel):
    matched: list[MatchedFile]
    unmatched: list[UnmatchedFile] = Field(description="Files not stored, each with the reason")


class DocumentLimits(BaseModel):
    used_bytes: int
    max_account_bytes: int = Field(description="The account's allowance for uploaded documents")
    max_file_bytes: int = Field(description="The largest PDF one upload may be")
    max_files_per_upload: int
    max_logo_bytes: int


class PdfLink(BaseModel):
    url: str = Field(description="A signed link to the invoice's PDF that works without signing in")
    expires_at: datetime
