from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutgoingEmail:
        return cls(**data)
