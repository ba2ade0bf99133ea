from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duespark.money import MoneyError, format_amount, format_for_people, normalize_currency, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1250.00", "EUR", 125000),
        ("1250", "EUR", 125000),
        ("0.01", "USD", 1),
        ("12.5", "EUR", 1250),
        ("5000", "JPY", 5000),
        ("1.234", "KWD", 1234),  # three minor digits
        (7, "EUR", 700),
        (" 99.90 ", "GBP", 9990),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        ("-1.00", "EUR", "negative"),
        ("0", "EUR", "greater than zero"),
        ("0.00", "EUR", "greater than zero"),
        ("1.001", "EUR", "at most 2 decimal places"),
        ("10.5", "JPY", "no minor unit"),
        ("abc", "EUR", "not a number"),
        ("1e3", "EUR", "plain decimal"),
        ("NaN", "EUR", "plain decimal"),
        ("Infinity", "EUR", "plain decimal"),
        (12.5, "EUR", "decimal string"),
        (True, "EUR", "decimal string"),
        (None, "EUR", "decimal string"),
        ("1" * 30, "EUR", "too large"),
    ],
)
def test_parse_amount_refuses(value, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(value, currency)


def test_format_amount_uses_currency_exponent():
    assert format_amount(125000, "EUR") == "1250.00"
    assert format_amount(5000, "JPY") == "5000"
    assert format_amount(1234, "KWD") == "1.234"
    assert format_amount(5, "USD") == "0.05"


def test_format_for_people_follows_locale():
    assert format_for_people(125000, "EUR", "de_DE") == "1.250,00\xa0€"
    assert format_for_people(125000, "USD", "en_US") == "$1,250.00"
    assert format_for_people(5000, "JPY", "ja_JP") == "￥5,000"


def test_currency_codes():
    assert normalize_currency("eur") == "EUR"
    with pytest.raises(MoneyError):
        normalize_currency("EURO")


@given(minor=st.integers(min_value=1, max_value=10**15), currency=st.sampled_from(["EUR", "JPY", "KWD", "USD"]))
def test_round_trip(minor, currency):
    assert parse_amount(format_amount(minor, currency), currency) == minor
