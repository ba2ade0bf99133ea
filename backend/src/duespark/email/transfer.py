"""The bank-transfer part of a client email: the details in words (text and HTML) and the EPC QR code
as an inline image the HTML names by Content-ID."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from duespark.banktransfer import wording
from duespark.banktransfer.service import TransferDetails
from duespark.email.message import InlineImage
from duespark.email.templates import TransferBlock

# 6 pixels a module: sharp on high-density screens when shown 180 pixels wide.
QR_SCALE = 6
QR_FILENAME = "bank-transfer-qr.png"


@dataclass(frozen=True)
class TransferParts:
    text: str
    block: TransferBlock
    image: InlineImage | None


def transfer_parts(transfer: TransferDetails, *, locale: str, sender_domain: str) -> TransferParts:
    words = wording.labels(locale)
    rows = tuple(transfer.fields(locale))
    text = words["pay_by_transfer"] + "\n" + "\n".join(f"{label}: {value}" for label, value in rows) + "\n"
    if transfer.qr_payload is None:
        return TransferParts(text, TransferBlock(title=words["pay_by_transfer"], rows=rows), None)
    # Random, so nothing in it names the account or invoice; on the sender's domain as RFC 2392 suggests.
    content_id = f"qr.{secrets.token_hex(8)}@{sender_domain}"
    image = InlineImage.of(transfer.qr_png(QR_SCALE), content_id=content_id, filename=QR_FILENAME)
    block = TransferBlock(
        title=words["pay_by_transfer"],
        rows=rows,
        qr_src=f"cid:{content_id}",
        qr_alt=transfer.qr_alt(locale),
        scan=words["scan"],
    )
    return TransferParts(text, block, image)
