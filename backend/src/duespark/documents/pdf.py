"""Invoice and statement PDFs made from the data, for invoices that have no uploaded PDF.

fpdf2 draws them: it is pure Python (no system libraries to install, unlike WeasyPrint's Pango and
Cairo), maintained, fast for a one- or two-page document, and embeds TrueType fonts as subsets with
their Unicode maps, so umlauts and accents print and come back from text extraction. The font is
DejaVu Sans, bundled in `fonts/` (its licence beside it) so the output is the same on every machine.

Everything is drawn from plain values (`InvoiceSheet`, `StatementSheet`) in the reader's locale;
money and dates are formatted by Babel as the emails and pages format them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from duespark.documents.wording import STRINGS
from duespark.money import format_for_people

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
MARGIN = 18.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LOGO_MAX = (45.0, 22.0)  # width, height in mm
QR_SIZE = 38.0
SLIP_HEIGHT = 105.0
GREY = (107, 114, 128)
INK = (31, 41, 55)
RULE = (229, 231, 235)


@dataclass(frozen=True)
class Issuer:
    """The account as it appears at the top of its documents."""

    name: str
    address: str | None = None
    tax_id: str | None = None
    logo: bytes | None = None  # PNG or JPEG, checked at upload (documents/checks.py)


@dataclass(frozen=True)
class PaymentInstructions:
    """The "how to pay" block: lines of text and, optionally, a QR code as a PNG (e.g. an EPC transfer
    code from the bank-transfer domain) drawn beside them."""

    lines: Sequence[str] = ()
    qr_png: bytes | None = None
    title: str | None = None  # above the lines, when several blocks follow each other (a statement's currencies)
    # A Swiss QR-bill's payment part with its receipt (SVG, 210 x 105 mm), drawn at the foot of a page.
    qr_bill_svg: str | None = None

    def __bool__(self) -> bool:
        return bool(self.qr_png) or bool(self.qr_bill_svg) or any(line.strip() for line in self.lines)


@dataclass(frozen=True)
class InvoiceSheet:
    issuer: Issuer
    client_lines: Sequence[str]  # company, name, ... as they go under "Bill to"
    number: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    fees_minor: int = 0
    paid_minor: int = 0
    description: str | None = None
    payment: PaymentInstructions = field(default_factory=PaymentInstructions)


@dataclass(frozen=True)
class StatementLine:
    number: str
    issue_date: date
    due_date: date
    currency: str
    balance_minor: int


@dataclass(frozen=True)
class StatementSheet:
    issuer: Issuer
    client_lines: Sequence[str]
    on: date
    lines: Sequence[StatementLine]
    payment: PaymentInstructions = field(default_factory=PaymentInstructions)
    transfers: Sequence[PaymentInstructions] = ()  # one bank transfer per currency owed


class _Document(FPDF):
    def __init__(self, words: dict[str, str]) -> None:
        super().__init__(format="A4", unit="mm")
        self.words = words
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 6)
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.alias_nb_pages()
        self.slip_page = 0  # the page whose foot holds a QR-bill payment part: no page number there

    def footer(self) -> None:
        if self.page_no() == self.slip_page:
            return
        self.set_y(-MARGIN)
        self.style(8, color=GREY)
        text = self.words["page"].format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, text, align="R")

    def style(self, size: float, *, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*color)

    def line_of(self, text: str, *, size: float = 10, bold: bool = False, color=INK, align: str = "L", h=5.0):
        self.style(size, bold=bold, color=color)
        self.multi_cell(CONTENT_WIDTH, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self) -> None:
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y(), PAGE_WIDTH - MARGIN, self.get_y())

    def row(self, cells: Sequence[tuple[str, float, str]], *, bold: bool = False, size: float = 10) -> None:
        """One table row: (text, width, align) per cell, the last one ending the line."""
        self.style(size, bold=bold)
        for index, (text, width, align) in enumerate(cells):
            last = index == len(cells) - 1
            self.cell(
                width,
                7,
                text,
                align=align,
                new_x=XPos.LMARGIN if last else XPos.RIGHT,
                new_y=YPos.NEXT if last else YPos.TOP,
            )


def _words(locale: str) -> dict[str, str]:
    return STRINGS.get(locale.split("_")[0], STRINGS["en"])


def _header(pdf: _Document, issuer: Issuer, title: str, facts: Sequence[tuple[str, str]]) -> None:
    """Logo and issuer on the left, the title and its facts (number, dates) on the right."""
    top = pdf.get_y()
    if issuer.logo:
        pdf.image(io.BytesIO(issuer.logo), x=MARGIN, y=top, w=LOGO_MAX[0], h=LOGO_MAX[1], keep_aspect_ratio=True)
        pdf.set_y(top + LOGO_MAX[1] + 3)
    pdf.style(12, bold=True)
    pdf.multi_cell(95, 6, issuer.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.style(9, color=GREY)
    for line in (issuer.address or "").splitlines():
        if line.strip():
            pdf.multi_cell(95, 4.5, line.strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if issuer.tax_id:
        pdf.multi_cell(95, 4.5, f"{pdf.words['tax_id']}: {issuer.tax_id}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()

    right = PAGE_WIDTH - MARGIN - 75
    pdf.set_xy(right, top)
    pdf.style(20, bold=True)
    pdf.cell(75, 10, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    for label, value in facts:
        pdf.set_x(right)
        pdf.style(9, color=GREY)
        pdf.cell(38, 5, label, align="R", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.style(9, bold=True)
        pdf.cell(37, 5, value, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


def _bill_to(pdf: _Document, client_lines: Sequence[str]) -> None:
    pdf.line_of(pdf.words["bill_to"], size=8, bold=True, color=GREY)
    for index, line in enumerate(client_lines):
        pdf.line_of(line, size=10, bold=index == 0)
    pdf.ln(6)


def _payment_block(pdf: _Document, blocks: Sequence[PaymentInstructions]) -> None:
    """ "How to pay", then each block: its lines, and its QR code beside them on the right."""
    blocks = [block for block in blocks if block]
    for index, payment in enumerate(blocks):
        needed = (QR_SIZE if payment.qr_png else 0) + 16
        if pdf.get_y() + needed > pdf.h - MARGIN - 6:
            pdf.add_page()
        if index == 0:
            pdf.ln(4)
            pdf.rule()
            pdf.ln(3)
            pdf.line_of(pdf.words["how_to_pay"], size=11, bold=True)
        else:
            pdf.ln(4)
        if payment.title:
            pdf.line_of(payment.title, size=10, bold=True)
        top = pdf.get_y()
        text_width = CONTENT_WIDTH - (QR_SIZE + 6 if payment.qr_png else 0)
        pdf.style(9.5)
        for line in payment.lines:
            pdf.multi_cell(text_width, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if payment.qr_png:
            pdf.image(io.BytesIO(payment.qr_png), x=PAGE_WIDTH - MARGIN - QR_SIZE, y=top, w=QR_SIZE, h=QR_SIZE)
            pdf.set_y(max(pdf.get_y(), top + QR_SIZE))


def _qr_bill(pdf: _Document, svg: str) -> None:
    """The payment part across the foot of the page (Swiss Implementation Guidelines: the bottom 105 mm
    of an A4 page, with the perforation line above it); on a page of its own when the invoice reaches
    into that space."""
    if pdf.get_y() > pdf.h - SLIP_HEIGHT - 4:
        pdf.add_page()
    pdf.set_auto_page_break(False)
    pdf.slip_page = pdf.page_no()
    pdf.image(io.BytesIO(svg.encode("utf-8")), x=0, y=pdf.h - SLIP_HEIGHT, w=PAGE_WIDTH, h=SLIP_HEIGHT)


def _finish(pdf: _Document, *, title: str, author: str, created: datetime) -> bytes:
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("DueSpark")
    pdf.set_creation_date(created)
    return bytes(pdf.output())


def invoice_pdf(sheet: InvoiceSheet, *, locale: str, created: datetime) -> bytes:
    """One invoice: issuer, client, the line (its description), amounts, due date, how to pay."""
    words = _words(locale)
    pdf = _Document(words)
    pdf.add_page()

    def day(value: date) -> str:
        return format_date(value, format="long", locale=locale)

    def money(minor: int) -> str:
        return format_for_people(minor, sheet.currency, locale)

    facts = [
        (words["number"], sheet.number),
        (words["issue_date"], day(sheet.issue_date)),
        (words["due_date"], day(sheet.due_date)),
    ]
    _header(pdf, sheet.issuer, words["invoice"], facts)
    _bill_to(pdf, sheet.client_lines)

    amount_width = 45.0
    pdf.row(
        [(words["description"], CONTENT_WIDTH - amount_width, "L"), (words["amount"], amount_width, "R")],
        bold=True,
        size=9,
    )
    pdf.rule()
    pdf.ln(1)
    description = (sheet.description or "").strip() or words["default_line"].format(number=sheet.number)
    pdf.style(10)
    y = pdf.get_y()
    pdf.multi_cell(CONTENT_WIDTH - amount_width, 6, description, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(MARGIN + CONTENT_WIDTH - amount_width, y)
    pdf.cell(amount_width, 6, money(sheet.amount_minor), align="R")
    pdf.set_y(bottom + 2)
    pdf.rule()
    pdf.ln(2)
    label_width = CONTENT_WIDTH - amount_width
    if sheet.fees_minor:
        pdf.row([(words["late_fees"], label_width, "R"), (money(sheet.fees_minor), amount_width, "R")])
    if sheet.paid_minor:
        pdf.row([(words["paid"], label_width, "R"), ("\N{MINUS SIGN} " + money(sheet.paid_minor), amount_width, "R")])
    balance = sheet.amount_minor + sheet.fees_minor - sheet.paid_minor
    pdf.row([(words["balance_due"], label_width, "R"), (money(balance), amount_width, "R")], bold=True, size=11)
    pdf.row([(words["due_date"], label_width, "R"), (day(sheet.due_date), amount_width, "R")], size=9)

    _payment_block(pdf, [sheet.payment])
    if sheet.payment.qr_bill_svg:
        _qr_bill(pdf, sheet.payment.qr_bill_svg)
    title = f"{words['invoice']} {sheet.number}"
    return _finish(pdf, title=title, author=sheet.issuer.name, created=created)


def statement_pdf(sheet: StatementSheet, *, locale: str, created: datetime) -> bytes:
    """Every open invoice of a client: its dates, days overdue and balance, then a total per currency."""
    words = _words(locale)
    pdf = _Document(words)
    pdf.add_page()

    def day(value: date) -> str:
        return format_date(value, format="medium", locale=locale)

    _header(pdf, sheet.issuer, words["statement"], [(words["statement_date"], format_date(sheet.on, "long", locale))])
    _bill_to(pdf, sheet.client_lines)
    pdf.line_of(words["open_invoices"].format(date=format_date(sheet.on, "long", locale)), size=11, bold=True)
    pdf.ln(2)
    widths = (40.0, 33.0, 33.0, 30.0, CONTENT_WIDTH - 136.0)
    headings = (words["number"], words["issue_date"], words["due_date"], words["days_overdue"], words["open_balance"])
    aligns = ("L", "L", "L", "R", "R")
    pdf.row([(h, w, a) for h, w, a in zip(headings, widths, aligns, strict=True)], bold=True, size=8.5)
    pdf.rule()
    totals: dict[str, int] = {}
    for line in sheet.lines:
        overdue = (sheet.on - line.due_date).days
        age = str(overdue) if overdue > 0 else words["not_yet_due"]
        values = (
            line.number,
            day(line.issue_date),
            day(line.due_date),
            age,
            format_for_people(line.balance_minor, line.currency, locale),
        )
        pdf.row([(v, w, a) for v, w, a in zip(values, widths, aligns, strict=True)], size=9.5)
        totals[line.currency] = totals.get(line.currency, 0) + line.balance_minor
    pdf.rule()
    pdf.ln(2)
    for currency, minor in sorted(totals.items()):
        label = words["total"].format(currency=currency)
        pdf.row(
            [(label, CONTENT_WIDTH - widths[-1], "R"), (format_for_people(minor, currency, locale), widths[-1], "R")],
            bold=True,
        )

    _payment_block(pdf, [sheet.payment, *sheet.transfers])
    return _finish(pdf, title=words["statement"], author=sheet.issuer.name, created=created)
