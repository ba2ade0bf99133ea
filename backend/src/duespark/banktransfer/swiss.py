"""The Swiss QR-bill (Swiss Payment Standards, "Swiss Implementation Guidelines for the QR-bill") for
CHF invoices payable to a QR-IBAN.

The `qrbill` package builds and validates the payload and draws the payment part; this module decides
when there is one and gives it the creditor and reference. The payload is up to 31 lines joined by CR LF:

    SPC / 0200 / 1                          header: QR type, version 2.0, coding 1 (UTF-8, Latin subset)
    IBAN                                    the creditor's QR-IBAN
    S / name / street / number / postcode / town / country      creditor, structured address (type S)
    7 empty lines                           the ultimate creditor (reserved for future use)
    amount / CHF                            "1250.50", currency
    7 lines                                 the ultimate debtor (empty: the client writes it by hand)
    QRR / reference                         the 27-digit QR reference a QR-IBAN must carry
    unstructured message / EPD              trailer: end payment data

A QR-IBAN is told by its institution id (IBAN positions 5 to 9) in 30000-31999. Its QR reference is
26 digits and a check digit (modulo 10, recursive, as the old ESR numbers): here the invoice number
with each letter as its two-digit value (A=10 ... Z=35) and other characters left out, so the same
number gives the same reference everywhere (pay page, PDF, reconciliation). A number too long for 26
digits gets no QR-bill: its transfer is given in words.

The QR code is level M with the Swiss cross (7 x 7 mm on the 46 mm code) over its centre.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw
from qrbill import QRBill
from stdnum.ch import esr

from duespark.banktransfer import epc
from duespark.models import BankAccount

SWISS_CURRENCY = "CHF"
QR_IID = range(30000, 32000)
REFERENCE_DIGITS = 26
# The Swiss cross in qrbill's units (a 19.8-unit square drawn 7 mm wide): white frame, black square,
# white cross. The code is 46 mm wide.
_CROSS_UNITS = 19.8
_CROSS_SHARE = 7 / 46
_BLACK = (1.4, 18.4)
_ARMS = ((8.3, 4.0, 3.3, 11.0), (4.4, 7.9, 11.0, 3.3))  # x, y, width, height
_LANGUAGES = {"de", "fr", "it", "en"}


def is_qr_iban(iban: str | None) -> bool:
    compact = (iban or "").replace(" ", "").upper()
    return compact[:2] in ("CH", "LI") and len(compact) == 21 and compact[4:9].isdigit() and int(compact[4:9]) in QR_IID


def qr_reference(invoice_number: str) -> str | None:
    """The 27-digit QR reference for an invoice number, None when it has no letters or digits or too many."""
    digits = "".join(str(int(char, 36)) for char in invoice_number.upper() if char.isascii() and char.isalnum())
    if not digits or len(digits) > REFERENCE_DIGITS:
        return None
    body = digits.zfill(REFERENCE_DIGITS)
    return body + esr.calc_check_digit(body)


def creditor(bank: BankAccount) -> dict[str, str] | None:
    """The payee as a QR-bill creditor (structured address), None without postcode, town and country."""
    if not (bank.payee_postcode and bank.payee_town and bank.payee_country):
        return None
    return {
        "name": bank.payee_name,
        "street": bank.payee_street or "",
        "house_num": bank.payee_house_number or "",
        "pcode": bank.payee_postcode,
        "city": bank.payee_town,
        "country": bank.payee_country,
    }


def has_qr_bill(bank: BankAccount) -> bool:
    return bank.currency == SWISS_CURRENCY and is_qr_iban(bank.iban) and creditor(bank) is not None


@dataclass(frozen=True)
class SwissBill:
    """What a QR-bill needs; `bill()` is qrbill's object (validated), `payload` its QR code's text."""

    iban: str
    creditor: tuple[tuple[str, str], ...]
    amount_minor: int
    reference: str
    message: str

    def bill(self, locale: str = "en") -> QRBill:
        language = locale.split("_")[0].split("-")[0]
        return QRBill(
            account=self.iban,
            creditor=dict(self.creditor),
            amount=f"{self.amount_minor // 100}.{self.amount_minor % 100:02d}",
            currency=SWISS_CURRENCY,
            reference_number=self.reference,
            additional_information=self.message,
            language=language if language in _LANGUAGES else "en",
        )

    @property
    def payload(self) -> str:
        return self.bill().qr_data()

    def slip_svg(self, locale: str = "en") -> str:
        """The payment part with its receipt, 210 x 105 mm, in the reader's language."""
        buffer = io.StringIO()
        self.bill(locale).as_svg(buffer)
        return buffer.getvalue()


def swiss_bill(bank: BankAccount, *, amount_minor: int, reference: str, invoice_numbers: str) -> SwissBill | None:
    """The QR-bill for a transfer into `bank`, or None when it takes none (not CHF to a QR-IBAN with
    the payee's address, or a reference that is no QR reference)."""
    address = creditor(bank)
    if not has_qr_bill(bank) or address is None or not re.fullmatch(r"\d{27}", reference) or amount_minor <= 0:
        return None
    found = SwissBill(
        iban=bank.iban or "",
        creditor=tuple(address.items()),
        amount_minor=amount_minor,
        reference=reference,
        message=epc.one_line(invoice_numbers, 140),
    )
    try:
        found.bill()  # qrbill checks every field against the standard (lengths, country, reference)
    except ValueError:
        return None
    return found


def _cross_boxes(origin: float, size: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(colour, (x, y, width, height)) of the cross's parts, for a code of `size` starting at `origin`."""
    unit = size * _CROSS_SHARE / _CROSS_UNITS
    start = origin + size / 2 - unit * _CROSS_UNITS / 2
    boxes = [("#fff", (start, start, unit * _CROSS_UNITS, unit * _CROSS_UNITS))]
    low, high = _BLACK
    boxes.append(("#000", (start + unit * low, start + unit * low, unit * (high - low), unit * (high - low))))
    boxes += [("#fff", (start + unit * x, start + unit * y, unit * w, unit * h)) for x, y, w, h in _ARMS]
    return boxes


def qr_png(payload: str, *, scale: int = 4, border: int = 4) -> bytes:
    code = epc.qr_code(payload)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=border)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    draw = ImageDraw.Draw(image)
    side = code.symbol_size(scale=scale, border=0)[0]
    for colour, (x, y, w, h) in _cross_boxes(border * scale, side):
        draw.rectangle((round(x), round(y), round(x + w) - 1, round(y + h) - 1), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(payload: str, *, scale: int = 4, border: int = 4, title: str | None = None) -> str:
    svg = epc.qr_svg(payload, scale=scale, border=border, title=title)
    side = epc.qr_code(payload).symbol_size(scale=scale, border=0)[0]
    rects = "".join(
        f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" fill="{colour}"/>'
        for colour, (x, y, w, h) in _cross_boxes(border * scale, side)
    )
    return svg.replace("</svg>", f"{rects}</svg>")
