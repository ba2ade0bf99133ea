from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML part shows with `<img src="cid:{content_id}">` (a bank-transfer QR code): sent
    inside the message, since most mail clients block images fetched from the web until asked."""

    content_id: str  # without the angle brackets
    filename: str
    content_type: str
    # Base64, so the email stays JSON (messages.content) like the rest of it.
    data_base64: str

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.data_base64)

    @classmethod
    def of(cls, data: bytes, *, content_id: str, filename: str, content_type: str = "image/png") -> InlineImage:
        return cls(content_id, filename, content_type, base64.b64encode(data).decode("ascii"))


@dataclass(frozen=True)
class Attachment:
    """A file sent with the email (the invoice's PDF): its name as the reader sees it, type and bytes."""

    file_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """A rendered email, ready for any provider."""

    to: str
    from_email: str
    from_name: str | None
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Provider-side labels: Postmark's Tag and Metadata, SES message tags.
    tag: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    inline_images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def html_for_browser(self) -> str | None:
        """The HTML with its inline images as data: URLs, for previews in a browser (which cannot follow cid:)."""
        html = self.html
        for image in self.inline_images:
            if html is not None:
                html = html.replace(f"cid:{image.content_id}", f"data:{image.content_type};base64,{image.data_base64}")
        return html

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: attachment bytes as base64."""
        data = asdict(self)
        data["attachments"] = [
            {**item, "data": base64.b64encode(item["data"]).decode("ascii")} for item in data["attachments"]
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutgoingEmail:
        images = tuple(InlineImage(**image) for image in data.get("inline_images") or ())
        attachments = tuple(
            Attachment(item["file_name"], item["content_type"], base64.b64decode(item["data"]))
            for item in data.get("attachments") or ()
        )
        return cls(**{**data, "inline_images": images, "attachments": attachments})
