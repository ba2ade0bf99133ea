"""The one place that picks the email provider from the settings."""

from __future__ import annotations

from duespark.email.providers.base import EmailProvider
from duespark.email.providers.file import FileProvider
from duespark.settings import Settings


def build_provider(settings: Settings) -> EmailProvider:
    if settings.email_provider in ("file", "console"):
        return FileProvider(settings.data_dir / "outbox")
    raise NotImplementedError(f"email provider {settings.email_provider!r} is not available yet")
