"""Steps and send windows as plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from duespark.errors import InvalidInput
from duespark.reminders.policy import SendWindow, Step, parse_clock_time, validate_steps


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_steps_are_sorted_and_checked():
    assert validate_steps([Step(7, "firm"), Step(-3, "friendly")]) == [Step(-3, "friendly"), Step(7, "firm")]
    with pytest.raises(InvalidInput) as caught:
        validate_steps([Step(1, "firm"), Step(1, "shouty"), Step(1, "urgent")])
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("steps.1.template_key", "Unknown template 'shouty'; use one of friendly, due_today, firm, urgent, final"),
        ("steps.1.offset_days", "Offset +1 is already used by step 0"),
        ("steps.2.offset_days", "Offset +1 is already used by step 0"),
    ]


def test_weekend_step_goes_out_on_monday_morning():
    window = SendWindow()
    assert window.first_slot(date(2026, 12, 5), "Europe/Berlin") == utc(2026, 12, 7, 8)  # Sat -> Mon 09:00
    assert window.first_slot(date(2026, 12, 4), "Europe/Berlin") == utc(2026, 12, 4, 8)  # Friday stays
    assert SendWindow(weekdays="6").first_slot(date(2026, 12, 7), "UTC") == utc(2026, 12, 12, 9)


def test_contains_and_next_slot():
    window = SendWindow(9 * 60, 17 * 60, "12345")
    tz = "America/New_York"
    assert window.contains(utc(2026, 12, 7, 14), tz)  # Monday 09:00 local
    assert not window.contains(utc(2026, 12, 7, 22), tz)  # Monday 17:00 local: the window is closed
    assert window.next_slot(utc(2026, 12, 7, 15), tz) == utc(2026, 12, 7, 15)
    assert window.next_slot(utc(2026, 12, 7, 12), tz) == utc(2026, 12, 7, 14)  # early: today's opening
    assert window.next_slot(utc(2026, 12, 7, 23), tz) == utc(2026, 12, 8, 14)  # late: tomorrow's
    assert window.next_slot(utc(2026, 12, 11, 23), tz) == utc(2026, 12, 14, 14)  # Friday night: Monday


def test_daylight_saving_slots():
    night = SendWindow(2 * 60 + 30, 6 * 60, "1234567")
    # 02:30 does not exist on 29 March in Berlin: the first instant after the gap (03:30 CEST).
    assert night.first_slot(date(2026, 3, 29), "Europe/Berlin") == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October: the first (CEST) one.
    assert night.first_slot(date(2026, 10, 25), "Europe/Berlin") == utc(2026, 10, 25, 0, 30)
    day = SendWindow(weekdays="1234567")
    assert day.first_slot(date(2026, 3, 28), "Europe/Berlin") == utc(2026, 3, 28, 8)
    assert day.first_slot(date(2026, 3, 29), "Europe/Berlin") == utc(2026, 3, 29, 7)


def test_unknown_zone_falls_back_to_utc_and_bad_windows_are_refused():
    assert SendWindow().first_slot(date(2026, 12, 7), "Mars/Olympus") == utc(2026, 12, 7, 9)
    with pytest.raises(ValueError, match="start before"):
        SendWindow(17 * 60, 9 * 60)
    with pytest.raises(ValueError, match="weekday"):
        SendWindow(weekdays="")


@pytest.mark.parametrize(("text", "minutes"), [("09:00", 540), ("17:30", 1050), ("24:00", 1440), ("00:00", 0)])
def test_parse_clock_time(text, minutes):
    assert parse_clock_time(text) == minutes


@pytest.mark.parametrize("text", ["9", "9:0", "25:00", "12:60", "noon"])
def test_parse_clock_time_refuses(text):
    with pytest.raises(ValueError):
        parse_clock_time(text)
