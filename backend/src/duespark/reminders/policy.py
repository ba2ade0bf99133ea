"""Reminder steps and send windows: what is sent when, in the client's own business hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from duespark.errors import FieldError, InvalidInput

# The tones compose_reminder knows, from the gentlest to the last.
TEMPLATE_KEYS = ("friendly", "due_today", "firm", "urgent", "final")
MAX_STEPS = 20
MAX_OFFSET_DAYS = 365
FEE_KINDS = ("fixed", "percent", "daily_interest")
# Percentages and rates are basis points: 10,000 = 100 %.
MAX_RATE_BP = 100_00


@dataclass(frozen=True)
class Fee:
    """A late fee a step adds when its email is sent (reminders/fees.py).

    fixed: `amount_minor` in `currency`, charged only on invoices in that currency;
    percent: `rate_bp` of the unpaid invoice amount;
    daily_interest: simple interest at `rate_bp` a year (None: the account's statutory rate).
    """

    kind: str
    amount_minor: int | None = None
    currency: str | None = None
    rate_bp: int | None = None


@dataclass(frozen=True)
class Step:
    offset_days: int
    template_key: str
    fee: Fee | None = None
    # Whether its email carries the invoice's PDF; None: from the due date on (offset >= 0), not before.
    attach_pdf: bool | None = None

    @property
    def step_key(self) -> str:
        return step_key(self.offset_days)

    @property
    def attaches_pdf(self) -> bool:
        return attaches_pdf_by_default(self.offset_days) if self.attach_pdf is None else self.attach_pdf


def attaches_pdf_by_default(offset_days: int) -> bool:
    """A friendly note before the due date goes without the invoice attached; every later step carries it."""
    return offset_days >= 0


def step_key(offset_days: int) -> str:
    """ "d-3", "d+0", "d+7": the offset names the step, so changing its tone keeps the planned row."""
    return f"d{offset_days:+d}"


DEFAULT_STEPS = (
    Step(-3, "friendly"),
    Step(0, "due_today"),
    Step(7, "firm"),
    Step(14, "urgent"),
    Step(30, "final"),
)


def validate_steps(steps: Sequence[Step], *, field: str = "steps") -> list[Step]:
    """The steps ordered by offset, or a 422 naming each bad step by its position in the request."""
    errors: list[FieldError] = []
    if len(steps) > MAX_STEPS:
        errors.append(
            FieldError(
                field=f"{field}.{MAX_STEPS}",
                message=f"A policy has at most {MAX_STEPS} steps; this step and any after it are too many",
            )
        )
    first_with_offset: dict[int, int] = {}
    for index, step in enumerate(steps):
        if step.template_key not in TEMPLATE_KEYS:
            errors.append(
                FieldError(
                    field=f"{field}.{index}.template_key",
                    message=f"Unknown template {step.template_key!r}; use one of {', '.join(TEMPLATE_KEYS)}",
                )
            )
        if abs(step.offset_days) > MAX_OFFSET_DAYS:
            errors.append(
                FieldError(
                    field=f"{field}.{index}.offset_days",
                    message=f"The offset must be within {MAX_OFFSET_DAYS} days of the due date",
                )
            )
        if step.fee is not None:
            errors.extend(_fee_errors(step, f"{field}.{index}.fee"))
        if step.offset_days in first_with_offset:
            errors.append(
                FieldError(
                    field=f"{field}.{index}.offset_days",
                    message=f"Offset {step.offset_days:+d} is already used by step "
                    f"{first_with_offset[step.offset_days]}",
                )
            )
        else:
            first_with_offset[step.offset_days] = index
    if errors:
        raise InvalidInput(errors=errors)
    return sorted(steps, key=lambda s: s.offset_days)


def _fee_errors(step: Step, field: str) -> list[FieldError]:
    fee = step.fee
    assert fee is not None
    if step.offset_days <= 0:
        return [FieldError(field=field, message="A late fee can only be added by a step after the due date")]
    if fee.kind not in FEE_KINDS:
        return [FieldError(field=f"{field}.kind", message=f"Use one of {', '.join(FEE_KINDS)}")]
    if fee.kind == "fixed":
        errors = []
        if fee.amount_minor is None or fee.amount_minor <= 0:
            errors.append(FieldError(field=f"{field}.amount", message="A fixed fee needs an amount above zero"))
        if fee.currency is None:
            errors.append(FieldError(field=f"{field}.currency", message="A fixed fee needs a currency"))
        return errors
    if fee.kind == "percent" and (fee.rate_bp is None or not 0 < fee.rate_bp <= MAX_RATE_BP):
        return [FieldError(field=f"{field}.percent", message="Give a percentage above 0 and at most 100")]
    if fee.kind == "daily_interest" and fee.rate_bp is not None and not 0 < fee.rate_bp <= MAX_RATE_BP:
        return [
            FieldError(
                field=f"{field}.annual_rate_percent",
                message="Give an annual rate above 0 and at most 100, or none for the account's statutory rate",
            )
        ]
    return []


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The zone by IANA name; names are validated on input, so an unknown one falls back to UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class SendWindow:
    """Business hours: [start, end) minutes after local midnight on the given ISO weekdays."""

    start_minute: int = 9 * 60
    end_minute: int = 17 * 60
    weekdays: str = "12345"

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= 24 * 60:
            raise ValueError("the send window must start before it ends, within one day")
        if not self.weekdays or any(d not in "1234567" for d in self.weekdays):
            raise ValueError("the send window needs at least one weekday (1 = Monday ... 7 = Sunday)")

    @property
    def start(self) -> time:
        return _minute_to_time(self.start_minute)

    @property
    def end(self) -> time:
        return _minute_to_time(self.end_minute)

    def first_slot(self, local_date: date, timezone: str | None) -> datetime:
        """The window's opening on the first allowed day on or after `local_date`, in UTC.

        zoneinfo resolves a start inside a spring-forward gap to the first valid instant
        after it, and one inside a fall-back overlap to its first occurrence: one instant
        either way, so a DST change neither skips nor doubles a send.
        """
        day = local_date
        while str(day.isoweekday()) not in self.weekdays:
            day += timedelta(days=1)
        local = datetime.combine(day, self.start, tzinfo=zone(timezone))
        return local.astimezone(UTC)

    def contains(self, instant: datetime, timezone: str | None) -> bool:
        local = instant.astimezone(zone(timezone))
        minute = local.hour * 60 + local.minute
        return str(local.isoweekday()) in self.weekdays and self.start_minute <= minute < self.end_minute

    def next_slot(self, instant: datetime, timezone: str | None) -> datetime:
        """`instant` itself when it is inside the window, else the window's next opening."""
        if self.contains(instant, timezone):
            return instant
        local = instant.astimezone(zone(timezone))
        minute = local.hour * 60 + local.minute
        day = local.date() if minute < self.start_minute else local.date() + timedelta(days=1)
        return self.first_slot(day, timezone)


def _minute_to_time(minute: int) -> time:
    return time(23, 59, 59) if minute >= 24 * 60 else time(minute // 60, minute % 60)


def parse_clock_time(text: str) -> int:
    """ "09:30" -> 570 minutes after midnight; "24:00" is the end of the day."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time such as 09:00")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def format_clock_time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
