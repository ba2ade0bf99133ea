"""An email that can never be built (a line break in the sender name, stored before names were
checked) fails permanently with the reason, instead of being retried as a temporary error."""

from __future__ import annotations

import random

from sqlalchemy import update

from duespark.db import transaction
from duespark.email.providers.file import FileProvider
from duespark.models import Account
from duespark.reminders.dispatcher import Dispatcher
from tests.reminders.support import all_reminders, make_world


def test_a_header_that_cannot_be_built_is_a_permanent_failure(db, worker_settings, clock, tmp_path):
    world = make_world(db.factory, clock)
    with transaction(db.factory) as session:
        session.execute(
            update(Account).where(Account.id == world.account_id).values(sender_name="Acme\r\nBcc: victim@evil.test")
        )
    worker = Dispatcher(
        session_factory=db.factory,
        settings=worker_settings,
        provider=FileProvider(tmp_path / "outbox"),
        clock=clock,
        worker_id="w1",
        rng=random.Random(3),
    )
    stats = worker.run()
    assert (stats.sent, stats.retried) == (0, 0)
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason, reminder.attempts) == ("failed", "unbuildable", 1)
    assert reminder.detail.startswith("The email could not be built: ")
    assert "linefeed or carriage return" in reminder.detail
    assert not (tmp_path / "outbox").exists() or list((tmp_path / "outbox").iterdir()) == []
    clock.advance(hours=1)
    assert worker.run().claimed == 0  # not retried
