"""Sample files for the document tests: real PDFs (fpdf2), a real PNG, and files that only pretend."""

from __future__ import annotations

import io
import random
import zlib

from fpdf import FPDF
from PIL import Image


def sample_pdf(text: str = "Sample invoice", *, pad_to: int = 0) -> bytes:
    """A one-page PDF saying `text`; `pad_to` grows it (an image of noise) to about that many bytes."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    if pad_to:
        side = int((pad_to / 3) ** 0.5) + 1
        noise = Image.frombytes("RGB", (side, side), random.Random(side).randbytes(side * side * 3))
        buffer = io.BytesIO()
        noise.save(buffer, format="PNG", compress_level=0)
        pdf.image(buffer, x=10, y=30, w=50)
    return bytes(pdf.output())


def sample_png(size: tuple[int, int] = (120, 40), color=(29, 78, 216)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def sample_gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script>Invoice</body></html>"
# Starts like a PDF, but is no PDF: a reader must refuse it.
TRUNCATED_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"


def raw_pdf(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF of these object bodies, numbered from 1 (1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def one_page_pdf(*, catalog: bytes = b"", page: bytes = b"", extra: list[bytes] = ()) -> bytes:
    """A one-page PDF with `catalog` and `page` added to those dictionaries and `extra` objects from 4 on."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
            *extra,
        ]
    )


def compressed_bomb_pdf(inflated_bytes: int = 200 * 1024 * 1024) -> bytes:
    """A valid one-page PDF whose content stream inflates to `inflated_bytes` of zeros (a "zip bomb")."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    stream = b"".join(compressor.compress(chunk) for _ in range(inflated_bytes // len(chunk))) + compressor.flush()
    contents = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    return one_page_pdf(page=b"/Contents 4 0 R", extra=[contents])
