"""Money is an integer count of minor units plus an ISO 4217 code; the API speaks decimal strings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision, list_currencies

MAX_AMOUNT_MINOR = 10**15  # a quadrillion minor units: far above any invoice, far below BIGINT


class MoneyError(ValueError):
    pass


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalize_currency(code: str) -> str:
    upper = code.strip().upper()
    if upper not in known_currencies():
        raise MoneyError(f"{code!r} is not an ISO 4217 currency code")
    return upper


@cache  # babel looks it up in its locale data each time; an import asks once per row
def currency_exponent(currency: str) -> int:
    return get_currency_precision(currency)


def parse_amount(value: object, currency: str, *, allow_zero: bool = False) -> int:
    """A decimal string (or integer) in major units to minor units, refusing anything inexact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MoneyError('send the amount as a decimal string, e.g. "1250.00"')
    text = str(value).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not a number") from None
    if not amount.is_finite() or "e" in text.lower():
        raise MoneyError(f"{text!r} is not a plain decimal number")
    exponent = currency_exponent(currency)
    if -amount.as_tuple().exponent > exponent:  # type: ignore[operator]
        if exponent == 0:
            raise MoneyError(f"{currency} has no minor unit; send a whole number")
        raise MoneyError(f"{currency} amounts have at most {exponent} decimal places")
    minor = int(amount.scaleb(exponent))
    if minor < 0:
        raise MoneyError("the amount must not be negative")
    if minor == 0 and not allow_zero:
        raise MoneyError("the amount must be greater than zero")
    if minor > MAX_AMOUNT_MINOR:
        raise MoneyError("the amount is too large")
    return minor


def format_amount(minor: int, currency: str) -> str:
    """Minor units to the API's decimal string: 125000 EUR -> "1250.00", 5000 JPY -> "5000"."""
    exponent = currency_exponent(currency)
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


def format_for_people(minor: int, currency: str, locale: str | Locale = "en") -> str:
    """Amount as a person reads it in their locale: "1.250,00 €" in de_DE, "$1,250.00" in en_US."""
    exponent = currency_exponent(currency)
    return format_currency(Decimal(minor).scaleb(-exponent), currency, locale=locale)
