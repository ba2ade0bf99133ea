"""Shared annotated types for text that ends up in email headers and single-line places.

A sender, account or client name with CR/LF was stored, then every email of that account failed to
build (header injection is refused by Python's email package) and was retried as a temporary error.
Names are refused at input instead: one type, used by every schema that takes such a name.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Bidirectional overrides and isolates: they reorder how a name displays (a spoofing device).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_NAMES = {"\x00": "NUL", "\r": "CR", "\n": "LF", "\t": "TAB"}


def check_single_line(value: str | None) -> str | None:
    if value is None:
        return None
    if value.isprintable():
        # No character of category C (bidi controls are Cf) or Z but the space: the common case, fast
        # (a CSV import checks 4 cells of each of up to 100,000 rows).
        return value
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS:
            name = _NAMES.get(char, f"U+{ord(char):04X}")
            raise ValueError(
                f"must be one line without control characters (found {name}); "
                "line breaks and tabs cannot go into an email header"
            )
    return value


SingleLine = Annotated[str, AfterValidator(check_single_line)]
