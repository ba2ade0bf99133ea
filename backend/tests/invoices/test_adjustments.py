"""Late fee arithmetic against numbers worked out by hand (no database: `compute` is pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from duespark.invoices.adjustments import compute, describe, format_rate
from duespark.models import Invoice
from duespark.reminders.policy import Fee

DUE = date(2026, 11, 10)


def invoice(amount_minor: int = 100_000, paid_minor: int = 0, currency: str = "EUR", fees_minor: int = 0) -> Invoice:
    return Invoice(
        id=7,
        account_id=3,
        amount_minor=amount_minor,
        amount_paid_minor=paid_minor,
        fees_minor=fees_minor,
        currency=currency,
        due_date=DUE,
    )


def charge(fee: Fee, *, inv: Invoice | None = None, days_late: int = 7, interest_from: date | None = None):
    return compute(
        fee,
        invoice=inv or invoice(),
        step_key=f"d+{days_late}",
        offset_days=days_late,
        send_date=DUE + timedelta(days=days_late),
        interest_from=interest_from,
        statutory_rate_bp=1200,
    )


def test_fixed_fee_in_the_invoice_currency_only():
    fee = charge(Fee("fixed", 4000, "EUR"))
    assert fee is not None
    assert (fee.amount_minor, fee.currency, fee.base_minor, fee.days) == (4000, "EUR", 100_000, None)
    assert describe(fee) == "Late fee, with the reminder 7 days after the due date"
    # A fixed fee in euros says nothing about an invoice in dollars.
    assert charge(Fee("fixed", 4000, "EUR"), inv=invoice(currency="USD")) is None


@pytest.mark.parametrize(
    ("amount", "paid", "rate_bp", "expected"),
    [
        (100_000, 0, 500, 5_000),  # 5 % of 1,000.00 = 50.00
        (100_000, 40_000, 500, 3_000),  # 5 % of the 600.00 still unpaid
        (1_010, 0, 500, 51),  # 5 % of 10.10 = 0.505 -> 0.51 (half up)
        (1_009, 0, 500, 50),  # 5 % of 10.09 = 0.5045 -> 0.50
        (123_457, 0, 250, 3_086),  # 2.5 % of 1,234.57 = 30.864 -> 30.86
        (100_000, 0, 100_00, 100_000),  # 100 %
    ],
)
def test_percent_of_the_unpaid_amount_rounded_half_up(amount, paid, rate_bp, expected):
    fee = charge(Fee("percent", rate_bp=rate_bp), inv=invoice(amount, paid))
    assert fee is not None and fee.amount_minor == expected


def test_percent_never_counts_fees_already_added():
    # 1,000.00 with 50.00 of fees: 5 % is of the 1,000.00, not of 1,050.00.
    fee = charge(Fee("percent", rate_bp=500), inv=invoice(100_000, 0, fees_minor=5_000))
    assert fee is not None and fee.amount_minor == 5_000


def test_nothing_to_charge_when_only_fees_are_unpaid_or_it_rounds_to_nothing():
    assert charge(Fee("percent", rate_bp=500), inv=invoice(100_000, 100_000, fees_minor=5_000)) is None
    assert charge(Fee("percent", rate_bp=1), inv=invoice(49)) is None  # 0.01 % of 0.49 rounds to 0


def test_daily_interest_simple_and_at_the_accounts_rate():
    # 12 % a year on 1,000.00 for 14 days: 1000 * 0.12 * 14 / 365 = 4.6027 -> 4.60
    fee = charge(Fee("daily_interest"), days_late=14)
    assert fee is not None
    assert (fee.amount_minor, fee.rate_bp, fee.days) == (460, 1200, 14)
    assert (fee.period_start, fee.period_end) == (DUE, date(2026, 11, 24))
    assert describe(fee) == (
        "Interest: 12% a year on €1,000.00 for 14 days (Nov 11, 2026 to Nov 24, 2026), "
        "with the reminder 14 days after the due date"
    )


def test_daily_interest_own_rate_on_the_unpaid_amount():
    # 8 % a year on the 600.00 unpaid for 30 days: 600 * 0.08 * 30 / 365 = 3.9452 -> 3.95
    fee = charge(Fee("daily_interest", rate_bp=800), inv=invoice(100_000, 40_000), days_late=30)
    assert fee is not None and fee.amount_minor == 395


def test_interest_of_later_steps_starts_where_the_last_one_ended():
    first = charge(Fee("daily_interest"), days_late=14)
    assert first is not None
    second = charge(Fee("daily_interest"), days_late=30, interest_from=first.period_end)
    assert second is not None
    # 16 more days: 1000 * 0.12 * 16 / 365 = 5.2603 -> 5.26; with 4.60 that is the 30 days' 9.86.
    assert (second.days, second.amount_minor, second.period_start) == (16, 526, first.period_end)
    assert first.amount_minor + second.amount_minor == charge(Fee("daily_interest"), days_late=30).amount_minor == 986
    # Nothing more for a day already charged.
    assert charge(Fee("daily_interest"), days_late=14, interest_from=first.period_end) is None


def test_interest_on_a_currency_without_minor_units():
    # 12 % a year on ¥123,456 for 30 days = 1217.65 -> ¥1,218
    fee = charge(Fee("daily_interest"), inv=invoice(123_456, currency="JPY"), days_late=30)
    assert fee is not None and fee.amount_minor == 1_218


def test_rates_are_written_for_people():
    assert format_rate(500) == "5%"
    assert format_rate(1250) == "12.5%"
    assert format_rate(1250, "de_DE") == "12,5\xa0%"
