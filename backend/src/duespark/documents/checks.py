"""What an uploaded file is, judged by its bytes: a name or a declared Content-Type proves nothing.

A PDF must start with the `%PDF-` signature and parse with pypdf into at least one page. Only the
document's structure is read (the page tree), never a content stream: a "zip bomb" of compressed
streams is not inflated here. A logo must be a PNG or JPEG that Pillow can open, of bounded pixels.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from duespark.errors import InvalidInput, PayloadTooLarge

PDF_SIGNATURE = b"%PDF-"
# A PDF may carry a few bytes of junk before its header (PDF 1.7, annex H.3 note 13); readers look a kilobyte in.
PDF_SIGNATURE_WINDOW = 1024
MAX_PDF_PAGES = 500
MAX_LOGO_PIXELS = 4000 * 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_FILE_NAME = 200


def megabytes(size: int) -> str:
    """A limit as people read it: "10 MB", "1 GB", "4.883 KB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size / 1024:.4g} KB"


def check_size(data: bytes, *, limit: int, field: str, what: str) -> None:
    if len(data) > limit:
        raise PayloadTooLarge(
            f"{field}: the {what} is larger than {megabytes(limit)}, the limit per file "
            f"(DUESPARK_DOCUMENT_MAX_FILE_BYTES / DUESPARK_LOGO_MAX_BYTES)"
        )


def check_pdf(data: bytes, *, field: str = "file", file_name: str | None = None) -> int:
    """The page count of a real PDF without active content (scan.py), else a 422 naming the field and
    the file."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from duespark.documents.scan import ActiveContent, find_active_content

    if PDF_SIGNATURE not in data[:PDF_SIGNATURE_WINDOW]:
        raise InvalidInput(field, "The file is not a PDF: it does not start with the %PDF- signature")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every repaired file
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        find_active_content(reader)
    except ActiveContent as exc:
        name = clean_file_name(file_name, fallback="file") if file_name else "The file"
        raise InvalidInput(
            field, f"{name} is refused: {exc.reason}. Invoices need no active content; save it again as a plain PDF"
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise InvalidInput(field, f"The file is not a readable PDF ({type(exc).__name__})") from None
    if pages < 1:
        raise InvalidInput(field, "The PDF has no pages")
    if pages > MAX_PDF_PAGES:
        raise InvalidInput(field, f"The PDF has {pages} pages; an invoice may have at most {MAX_PDF_PAGES}")
    return pages


def check_logo(data: bytes, *, field: str = "file") -> str:
    """The content type of a PNG or JPEG logo, else a 422 naming the field."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                raise InvalidInput(field, f"The logo is {width}x{height} pixels; at most 16 million pixels")
            image.verify()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise InvalidInput(field, "The logo is not a PNG or JPEG image") from None
    if kind not in LOGO_FORMATS:
        raise InvalidInput(field, f"The logo is a {kind} image; upload a PNG or JPEG")
    return LOGO_FORMATS[kind]


_UNSAFE = re.compile(r"[^\w .()+,-]")


def clean_file_name(name: str | None, *, fallback: str) -> str:
    """The last part of a file name, printable, without path separators or leading dots.

    It only labels a download or an attachment; storage keys never come from it.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    stem = (base[:-4] if base.lower().endswith(".pdf") else base) or _UNSAFE.sub("_", fallback)
    return stem[: MAX_FILE_NAME - 4] + ".pdf"
