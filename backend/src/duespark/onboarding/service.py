"""Going live: what goes out first once reminders reach clients, and the confirmation it needs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.errors import InvalidInput
from duespark.invoices.events import InvoiceChange, publish
from duespark.models import Account
from duespark.onboarding.import_options import resume_not_chased
from duespark.onboarding.preview import first_wave, rolled_back
from duespark.onboarding.schemas import FirstWave
from duespark.reminders.planner import plan
from duespark.settings import Settings


def go_live_preview(session: Session, *, account_id: int, settings: Settings, clock: Clock) -> FirstWave:
    """The first wave as it would be with the account live: planned and dispatched in a rolled-back savepoint."""
    with rolled_back(session):
        account = session.get(Account, account_id)
        assert account is not None
        account.test_mode = False
        account.live_since = clock.now()
        session.flush()
        plan(session, clock=clock, account_id=account_id)
        return first_wave(session, account_id=account_id, settings=settings, clock=clock)


def wave_summary(wave: FirstWave) -> str:
    if not wave.emails:
        return "No email goes out to clients at once"
    emails = f"{wave.emails} email{'s' if wave.emails != 1 else ''}"
    clients = f"{wave.clients} client{'s' if wave.clients != 1 else ''}"
    when = "today" if wave.today else f"at {wave.at.isoformat() if wave.at else 'the next send window'}"
    return f"{emails} go{'es' if wave.emails == 1 else ''} to {clients} {when}"


def check_go_live_confirmed(
    session: Session, *, account_id: int, confirm: bool, settings: Settings, clock: Clock
) -> None:
    """Leaving test mode needs `confirm: true`, sent after reading the preview; the refusal says what would go."""
    account = session.get(Account, account_id)
    assert account is not None
    if confirm or not account.test_mode:
        return
    wave = go_live_preview(session, account_id=account_id, settings=settings, clock=clock)
    raise InvalidInput(
        "confirm",
        f"{wave_summary(wave)} once you go live. See GET /api/account/go-live/preview, then send "
        '{"confirm": true} to go live.',
    )


def start_chasing_not_chased(session: Session, *, account_id: int, clock: Clock) -> int:
    ids = resume_not_chased(session, account_id=account_id, clock=clock)
    if ids:
        publish(session, InvoiceChange.updated, ids, clock)
    return len(ids)
