"""The email to the account's owners when one of their webhook endpoints is disabled."""

from __future__ import annotations

from babel.dates import format_date
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.compose import babel_locale
from duespark.email.owner_notice import notify_owners
from duespark.models import Account, WebhookEndpoint
from duespark.settings import Settings

KIND = "webhook_endpoint_disabled"


def notify_disabled(
    session: Session, endpoint: WebhookEndpoint, *, last_answer: str, settings: Settings, clock: Clock
) -> None:
    """Queued in the outbox with the change, so it goes after the commit (or not at all)."""
    account = session.get(Account, endpoint.account_id)
    if account is None:
        return
    since = endpoint.failing_since or clock.now()
    variables = {
        "endpoint_url": endpoint.url,
        "failing_since": format_date(since.date(), format="long", locale=babel_locale(account.locale or "en")),
        "last_answer": last_answer,
        "settings_link": f"{settings.public_url.rstrip('/')}/settings?tab=webhooks",
    }
    notify_owners(session, account, kind=KIND, variables=variables, settings=settings, clock=clock)
