"""The one place that picks the email provider from the settings."""

from __future__ import annotations

from duespark.email.providers.base import EmailProvider
from duespark.email.providers.file import FileProvider
from duespark.settings import Settings


def build_provider(settings: Settings) -> EmailProvider:
    if settings.email_provider in ("file", "console"):
        return FileProvider(settings.data_dir / "outbox")
    if settings.email_provider == "smtp":
        from duespark.email.providers.smtp import SmtpProvider

        return SmtpProvider.from_settings(settings)
    if settings.email_provider == "postmark":
        from duespark.email.providers.postmark import PostmarkProvider

        return PostmarkProvider.from_settings(settings)
    if settings.email_provider == "ses":
        from duespark.email.providers.ses import SesProvider

        return SesProvider.from_settings(settings)
    raise ValueError(f"unknown email provider {settings.email_provider!r}")
