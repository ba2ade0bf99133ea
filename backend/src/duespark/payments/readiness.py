"""Can this account's clients pay, and will its emails reach anyone? (invariant 14)

`go_live_blockers` is what refuses going live; `go_live_warnings` is what going live must say
but does not refuse. Both are plain lists of sentences for the user, so any go-live flow (the
switch, a preview with confirmation) can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from duespark.banktransfer.service import has_bank_account
from duespark.email.service import owner_email
from duespark.models import Account
from duespark.payments import service
from duespark.settings import Settings

# The notice kind recorded when a client's card checkout could not be created.
CHECKOUT_FAILED = "checkout_failed"
# Providers that deliver nothing to a client: `file` writes .eml files, `console` prints them.
NON_DELIVERING_PROVIDERS = ("file", "console")

NO_WAY_TO_PAY = (
    "Your clients would have no way to pay: add a bank account for bank transfers or payment instructions "
    "(how else to pay) in the settings, or connect Stripe for card payments, before going live."
)


@dataclass(frozen=True)
class WaysToPay:
    """What the pay page can offer a client of this account."""

    instructions: bool
    card: bool
    contact_email: str | None
    bank_transfer: bool = False

    @property
    def any(self) -> bool:
        """A real way to pay; the email button alone is a fallback, not a way to pay."""
        return self.instructions or self.card or self.bank_transfer


def ways_to_pay(session: Session, *, account: Account, settings: Settings) -> WaysToPay:
    card = bool(settings.stripe_secret_key) or service.get_connection(session, account_id=account.id) is not None
    return WaysToPay(
        instructions=bool((account.payment_instructions or "").strip()),
        card=card,
        contact_email=contact_email(session, account=account),
        bank_transfer=has_bank_account(session, account_id=account.id),
    )


def contact_email(session: Session, *, account: Account) -> str | None:
    """Where a client writes about paying: the sender address, else the owner's sign-in address."""
    return account.sender_email or owner_email(session, account.id)


def delivery_warning(settings: Settings) -> str | None:
    if settings.email_provider not in NON_DELIVERING_PROVIDERS:
        return None
    where = "written to files on the server" if settings.email_provider == "file" else "printed in the server log"
    return (
        f"This server's email provider is '{settings.email_provider}': emails are {where} and no client "
        "will ever receive a reminder. Whoever runs DueSpark must set DUESPARK_EMAIL_PROVIDER to smtp, "
        "postmark or ses."
    )


def go_live_blockers(session: Session, *, account: Account, settings: Settings) -> list[str]:
    """Reasons going live is refused: today only that clients would have no way to pay."""
    blockers: list[str] = []
    if not ways_to_pay(session, account=account, settings=settings).any:
        blockers.append(NO_WAY_TO_PAY)
    return blockers


def go_live_warnings(settings: Settings) -> list[str]:
    """What going live must say without refusing it: an email provider that delivers nothing."""
    warning = delivery_warning(settings)
    return [warning] if warning else []


def account_warnings(session: Session, *, account: Account, settings: Settings) -> list[str]:
    """Warnings shown on every page while they hold: a live account whose emails or pay links fail clients."""
    if account.test_mode:
        return []
    warnings = go_live_warnings(settings)
    if not ways_to_pay(session, account=account, settings=settings).any:
        warnings.append(
            "You are live but your clients have no way to pay: their pay links only offer to email you. "
            "Add a bank account, payment instructions or connect Stripe."
        )
    return warnings
