from __future__ import annotations

from dataclasses import dataclass, field


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
