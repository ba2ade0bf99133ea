"""An account email to each owner (a connection or an endpoint stopped working): one per owner, in the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.compose import compose_account_notice
from duespark.email.service import queue_message
from duespark.models import Account, Membership, User
from duespark.models.enums import Role
from duespark.settings import Settings


def notify_owners(
    session: Session, account: Account, *, kind: str, variables: dict[str, Any], settings: Settings, clock: Clock
) -> None:
    """Queued in the outbox with the caller's change, so it goes after the commit (or not at all)."""
    owners = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account.id, Membership.role == Role.owner)
        .order_by(Membership.id)
    ).all()
    for user in owners:
        email = compose_account_notice(
            user=user,
            account=account,
            template_key=kind,
            variables={"user_name": user.name, **variables},
            settings=settings,
        )
        queue_message(
            session, account_id=account.id, kind=kind, template_key=kind, to_email=user.email, email=email, clock=clock
        )
