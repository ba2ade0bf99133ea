"""The email provider times out, then answers 500, then 429, then recovers.

Postmark's real client, with only its HTTP layer replaced (respx). The worker ticks every 10
simulated seconds through the outage and after it: nothing may be lost or sent twice, each
retry must wait at least its backoff, and no tick may call the provider more than once per
reminder (no hot loop).
"""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from datetime import datetime, timedelta

import httpx
import pytest
import respx
from sqlalchemy import func, select

from duespark.clock import FixedClock
from duespark.email.providers.postmark import API_URL, PostmarkProvider
from duespark.models import Message, Reminder
from duespark.reminders.dispatcher import Dispatcher
from tests.conftest import TEST_NOW, make_test_settings
from tests.reminders.support import make_world

pytestmark = pytest.mark.faults

REMINDERS = 12
BASE_SECONDS = 30
TICK = timedelta(seconds=10)
# (phase ends after the outage starts, how the provider answers until then)
OUTAGE = [
    (timedelta(minutes=3), "timeout"),
    (timedelta(minutes=6), "500"),
    (timedelta(minutes=10), "429"),
]
RUN_FOR = timedelta(minutes=40)


class FlakyPostmark:
    """Postmark's /email endpoint through an outage, keyed to the test's clock."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.started = clock.now()
        self.attempts: dict[int, list[datetime]] = defaultdict(list)
        self.accepted: dict[int, int] = defaultdict(int)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        reminder_id = int(body["Metadata"]["reminder_id"])
        now = self.clock.now()
        self.attempts[reminder_id].append(now)
        for ends, answer in OUTAGE:
            if now - self.started < ends:
                if answer == "timeout":
                    raise httpx.ReadTimeout("timed out", request=request)
                if answer == "500":
                    return httpx.Response(500, json={"ErrorCode": 100, "Message": "Maintenance"})
                return httpx.Response(429, json={"ErrorCode": 429, "Message": "Rate limit exceeded"})
        self.accepted[reminder_id] += 1
        return httpx.Response(
            200,
            json={
                "To": body["To"],
                "SubmittedAt": now.isoformat(),
                "MessageID": f"pm-{reminder_id}",
                "ErrorCode": 0,
                "Message": "OK",
            },
        )


def test_provider_outage_loses_nothing_and_respects_backoff(db, tmp_path):
    clock = FixedClock(TEST_NOW)
    settings = make_test_settings(
        tmp_path,
        db.url,
        email_provider="postmark",
        postmark_server_token="server-token",
        reminder_retry_base_seconds=BASE_SECONDS,
        reminder_max_attempts=10,
    )
    make_world(db.factory, clock, invoices=REMINDERS)
    postmark = FlakyPostmark(clock)
    with respx.mock(assert_all_called=True) as router:
        router.post(f"{API_URL}/email").mock(side_effect=postmark)
        dispatcher = Dispatcher(
            session_factory=db.factory,
            settings=settings,
            provider=PostmarkProvider.from_settings(settings),
            clock=clock,
            worker_id="outage",
            rng=random.Random(3),
        )
        calls_per_tick = []
        while clock.now() - postmark.started <= RUN_FOR:
            before = sum(len(times) for times in postmark.attempts.values())
            dispatcher.run()
            calls_per_tick.append(sum(len(times) for times in postmark.attempts.values()) - before)
            clock.advance(TICK)

    with db.factory() as session:
        states = dict(session.execute(select(Reminder.id, Reminder.state)).all())
        messages = session.scalar(select(func.count()).select_from(Message).where(Message.status == "sent"))
    assert set(states.values()) == {"sent"} and len(states) == REMINDERS
    assert messages == REMINDERS
    assert dict(postmark.accepted) == {reminder_id: 1 for reminder_id in states}
    assert max(calls_per_tick) <= REMINDERS, "a tick tries each reminder at most once"
    outage_ends = postmark.started + OUTAGE[-1][0]
    for times in postmark.attempts.values():
        # Attempt n failed; the next waits at least half the n-th backoff step (the fixed half).
        for attempt, (earlier, later) in enumerate(itertools.pairwise(times), start=1):
            assert later - earlier >= timedelta(seconds=BASE_SECONDS * 2 ** (attempt - 1) / 2)
        failed = [t for t in times if t < outage_ends]
        assert len(failed) <= 6, "backoff keeps the calls during a 10-minute outage few"
        # ...and not so long that a recovered provider waits for ever: sent within one backoff step.
        assert times[-1] - outage_ends <= timedelta(seconds=BASE_SECONDS * 2 ** len(failed))
