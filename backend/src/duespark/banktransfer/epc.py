"""The European Payments Council's "SEPA credit transfer" QR code (EPC069-12, version 002).

The payload is up to 12 lines separated by a line feed, no line feed after the last one:

    1 BCD             service tag
    2 002             version
    3 1               character set: 1 = UTF-8
    4 SCT             identification: SEPA credit transfer
    5 BIC             8 or 11 characters; optional in version 002 inside the EEA (empty line)
    6 name            the beneficiary, at most 70 characters
    7 IBAN            the beneficiary's account, IBAN only
    8 EUR123.45       amount, EUR 0.01 to 999999999.99; empty when not known
    9 purpose         four-letter purpose code (empty: none)
   10 structured      ISO 11649 creditor reference (RF..), at most 35 characters
   11 unstructured    free text, at most 140 characters; never together with line 10
   12 information     beneficiary to originator information, at most 70 characters

Trailing empty lines are left off. The whole payload is at most 331 bytes, which is what a QR code of
version 13 at error correction level M holds; the code must use level M.

Swiss QR-bills (CHF to a QR-IBAN) are made in swiss.py; this layout is SEPA only.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno

MAX_PAYLOAD_BYTES = 331
MAX_NAME = 70
MAX_STRUCTURED = 35
MAX_UNSTRUCTURED = 140
MAX_INFORMATION = 70
MIN_AMOUNT_CENTS = 1
MAX_AMOUNT_CENTS = 99_999_999_999  # EUR 999999999.99
_SPACES = re.compile(r"\s+")


class EpcPayloadError(ValueError):
    """A field the EPC layout cannot carry (no name, no IBAN, a creditor reference too long)."""


def one_line(text: str, limit: int) -> str:
    """A field on one line: line breaks and runs of spaces become one space (a line feed would move
    every later field), cut to `limit` characters."""
    return _SPACES.sub(" ", text).strip()[:limit].rstrip()


def format_amount(cents: int | None) -> str:
    """ "EUR123.45", always two decimals; empty (no amount) outside the range the layout allows."""
    if cents is None or not MIN_AMOUNT_CENTS <= cents <= MAX_AMOUNT_CENTS:
        return ""
    return f"EUR{cents // 100}.{cents % 100:02d}"


def _fit_bytes(text: str, budget: int) -> str:
    """`text` cut at a character boundary so its UTF-8 form takes at most `budget` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= budget:
        return text
    return encoded[: max(budget, 0)].decode("utf-8", errors="ignore").rstrip()


@dataclass(frozen=True)
class EpcTransfer:
    name: str
    iban: str
    amount_cents: int | None
    bic: str | None = None
    creditor_reference: str | None = None
    remittance_text: str | None = None
    purpose: str | None = None
    information: str | None = None

    def payload(self) -> str:
        name = one_line(self.name, MAX_NAME)
        iban = self.iban.replace(" ", "").upper()
        if not name or not iban:
            raise EpcPayloadError("an EPC QR code needs the beneficiary's name and IBAN")
        structured = (self.creditor_reference or "").replace(" ", "").upper()
        if len(structured) > MAX_STRUCTURED:
            raise EpcPayloadError("a creditor reference has at most 35 characters")
        # Structured and unstructured remittance exclude each other; the creditor reference wins.
        unstructured = "" if structured else one_line(self.remittance_text or "", MAX_UNSTRUCTURED)
        lines = [
            "BCD",
            "002",
            "1",
            "SCT",
            (self.bic or "").replace(" ", "").upper(),
            name,
            iban,
            format_amount(self.amount_cents),
            (self.purpose or "").upper()[:4],
            structured,
            unstructured,
            one_line(self.information or "", MAX_INFORMATION),
        ]
        while lines[-1] == "":
            lines.pop()
        payload = "\n".join(lines)
        overflow = len(payload.encode("utf-8")) - MAX_PAYLOAD_BYTES
        if overflow > 0:
            payload = self._shortened(lines, overflow)
        return payload

    @staticmethod
    def _shortened(lines: list[str], overflow: int) -> str:
        """Over 331 bytes (long UTF-8 names and texts): the information line goes first, then the free
        text is cut; name, account and amount are never cut."""
        if len(lines) == 12:
            overflow -= len(lines.pop().encode("utf-8")) + 1
            while lines[-1] == "":
                lines.pop()
        if overflow > 0 and len(lines) == 11:
            lines[10] = _fit_bytes(lines[10], len(lines[10].encode("utf-8")) - overflow)
        payload = "\n".join(lines)
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise EpcPayloadError("the transfer's fields do not fit the 331 bytes of an EPC QR code")
        return payload


def qr_code(payload: str) -> segno.QRCode:
    """The QR code as the guideline wants it: error correction level M (not raised), byte mode in UTF-8."""
    return segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")


def qr_png(payload: str, *, scale: int = 4, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    qr_code(payload).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_svg(payload: str, *, scale: int = 4, border: int = 4, title: str | None = None) -> str:
    """Inline SVG for HTML pages (no image request, nothing for the page's content policy to block)."""
    buffer = io.BytesIO()
    # Dark on white whatever the page's colours: banking apps read a dark code on a light ground.
    qr_code(payload).save(
        buffer,
        kind="svg",
        scale=scale,
        border=border,
        xmldecl=False,
        svgns=True,
        title=title,
        dark="#000",
        light="#fff",
    )
    return buffer.getvalue().decode("utf-8")


def creditor_reference(text: str) -> str | None:
    """The ISO 11649 creditor reference ("RF" + two check digits + up to 21 letters and digits) built
    from the letters and digits of `text`; None when there are none or more than 21."""
    body = "".join(char for char in text.upper() if char.isascii() and char.isalnum())
    if not body or len(body) > 21:
        return None
    digits = "".join(str(int(char, 36)) for char in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def is_creditor_reference(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1
