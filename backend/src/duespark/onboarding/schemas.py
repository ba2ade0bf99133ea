"""What goes out first after an import or going live, and what the import options changed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PreviewEmail(BaseModel):
    """One email of the first wave, rendered by the same code the worker sends with."""

    client_id: int
    client_name: str
    to: str | None = Field(description="Who receives it: the client, or you in test mode")
    kind: Literal["single", "statement"]
    tone: str = Field(description="The template of the step: friendly, due_today, firm, urgent, final")
    invoice_numbers: list[str]
    subject: str | None = None
    text: str | None = None
    problem: str | None = Field(None, description="Why this email cannot go out (no address, template error)")


class FirstWave(BaseModel):
    """The emails the worker's next run would send for the account, at `at`."""

    at: datetime | None = Field(description="When they go out: now, or when the send window next opens")
    today: bool = Field(description="`at` falls on today in the account's time zone")
    test_mode: bool
    emails: int
    clients: int
    invoices: int
    statements: int
    singles: int
    tones: dict[str, int]
    skipped_steps: int = Field(description="Earlier missed steps not sent: only the latest of an invoice goes")
    held: int = Field(description="Due emails held back (e.g. until you verify your sender address)")
    held_reason: str | None = None
    previews: list[PreviewEmail]
    more: int = Field(description="Emails of the wave not rendered in `previews`")


class ImportOptionsReport(BaseModel):
    """The import options and how many of the file's invoices each one affects."""

    model_config = ConfigDict(title="ImportOptionsReport")

    start_from_today: bool
    dont_chase_older: bool
    older_than_days: int
    invoices_started_later: int = Field(
        description="Invoices whose steps before today are skipped; their first email is a later step"
    )
    steps_skipped: int = Field(description="Reminder steps skipped because their day had passed")
    not_chased_old: int = Field(description="Invoices more than `older_than_days` overdue: paused, not chased")
    not_chased_no_step_left: int = Field(
        description="With start_from_today: invoices whose every step had passed: paused, not chased"
    )


class GoLiveIn(BaseModel):
    confirm: bool = Field(
        False, description="Set after reading GET /api/account/go-live/preview: emails go to clients from now on"
    )


class ResumeNotChasedOut(BaseModel):
    resumed: int
