"""The email to the account's owners when a connection to their books stopped working."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.owner_notice import notify_owners
from duespark.models import Account, AccountingConnection
from duespark.settings import Settings

KIND = "accounting_reconnect"


def notify_needs_reconnect(
    session: Session, connection: AccountingConnection, *, label: str, settings: Settings, clock: Clock
) -> None:
    """Queued in the outbox with the status change, so it goes after the commit (or not at all)."""
    account = session.get(Account, connection.account_id)
    if account is None:
        return
    variables = {
        "provider": label,
        "organisation": connection.tenant_name or label,
        "settings_link": f"{settings.public_url.rstrip('/')}/settings?tab=integrations",
    }
    notify_owners(session, account, kind=KIND, variables=variables, settings=settings, clock=clock)
