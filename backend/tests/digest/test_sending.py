"""The worker's digest job: due at the member's local hour, once per local day, nothing for an empty day
or a member who opted out, each member's own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.digest.schemas import DigestPreferencesIn
from duespark.digest.service import put_preferences, recipients
from duespark.digest.worker import send_due_digests
from duespark.email.outbox import send_queued_messages
from duespark.models import DigestSend, Membership, Message, User
from duespark.models.enums import Role
from tests.digest.support import DIGEST_NOW, build_day, long_before, owner, paid
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import RecordingProvider


def digests(session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.kind == "daily_digest").order_by(Message.id)))


def sends(session) -> list[tuple[int, date, int | None]]:
    rows = session.execute(select(DigestSend.user_id, DigestSend.local_date, DigestSend.message_id))
    return sorted((user_id, local_date, message_id) for user_id, local_date, message_id in rows)


def test_a_day_with_news_queues_one_email_and_a_second_tick_none(session, session_factory, settings):
    clock = FixedClock(DIGEST_NOW)
    day = build_day(session, clock)
    session.commit()
    run = send_due_digests(session_factory, settings=settings, clock=clock)
    # Other Co's owner has a day too (a payment, a reply, ...): one email each, each about their own account.
    assert (run.sent, run.empty) == (2, 0)
    mine = [m for m in digests(session) if m.account_id == day.account.id]
    assert [(m.to_email, m.subject, m.status) for m in mine] == [
        (day.user.email, "DueSpark daily digest for Acme Studio: November 25, 2026", "queued")
    ]
    assert mine[0].content["text"].startswith("Good morning Ada,\n")
    clock.advance(minutes=15)
    again = send_due_digests(session_factory, settings=settings, clock=clock)
    assert (again.sent, again.empty) == (0, 0)
    assert len(digests(session)) == 2


def test_before_the_hour_nothing_then_at_the_hour(session, session_factory, settings):
    # 06:59 in Berlin.
    clock = FixedClock(datetime(2026, 11, 25, 5, 59, tzinfo=UTC))
    day = build_day(session, clock)
    session.commit()
    assert send_due_digests(session_factory, settings=settings, clock=clock).sent == 0
    assert sends(session) == []
    clock.advance(minutes=1)
    assert send_due_digests(session_factory, settings=settings, clock=clock).sent == 2
    assert (day.user.id, date(2026, 11, 25)) in [(u, d) for u, d, _ in sends(session)]


def test_an_empty_day_sends_nothing_and_is_checked_once(session, session_factory, settings):
    clock = FixedClock(DIGEST_NOW)
    account = make_account(session, clock=long_before(clock), timezone="Europe/Berlin")
    user = owner(session, account)
    session.commit()
    run = send_due_digests(session_factory, settings=settings, clock=clock)
    assert (run.sent, run.empty) == (0, 1)
    assert digests(session) == []
    assert sends(session) == [(user.id, date(2026, 11, 25), None)]
    clock.advance(minutes=15)
    assert send_due_digests(session_factory, settings=settings, clock=clock).empty == 0


def test_a_member_who_opted_out_gets_nothing(session, session_factory, settings):
    clock = FixedClock(DIGEST_NOW)
    day = build_day(session, clock)
    put_preferences(
        session, account_id=day.account.id, user=day.user, data=DigestPreferencesIn(enabled=False), clock=clock
    )
    session.commit()
    assert [r.user.id for r in recipients(session, account_id=day.account.id)] == []
    send_due_digests(session_factory, settings=settings, clock=clock)
    assert [m for m in digests(session) if m.account_id == day.account.id] == []
    assert day.user.id not in [u for u, _, _ in sends(session)]


def test_a_member_who_joins_after_the_hour_gets_the_first_digest_the_next_morning(session, session_factory, settings):
    # Ada's account has a day to report (payments, replies); Grace joins it at 07:30 Berlin, after the hour.
    clock = FixedClock(DIGEST_NOW)
    day = build_day(session, clock)
    grace = User(
        email="grace@acme.test", password_hash="x", name="Grace", created_at=clock.now(), updated_at=clock.now()
    )
    session.add(grace)
    session.flush()
    session.add(
        Membership(
            account_id=day.account.id,
            user_id=grace.id,
            role=Role.member,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    session.commit()
    send_due_digests(session_factory, settings=settings, clock=clock)
    assert [m.to_email for m in digests(session) if m.account_id == day.account.id] == [day.user.email]
    assert grace.id not in [u for u, _, _ in sends(session)]
    # 06:59 Berlin the next day: still nothing; 07:00: her first digest, about the day she was a member.
    clock.set(datetime(2026, 11, 26, 5, 59, tzinfo=UTC))
    send_due_digests(session_factory, settings=settings, clock=clock)
    assert grace.id not in [u for u, _, _ in sends(session)]
    clock.advance(minutes=1)
    send_due_digests(session_factory, settings=settings, clock=clock)
    assert (grace.id, date(2026, 11, 26)) in [(u, d) for u, d, _ in sends(session)]


def test_an_inactive_user_gets_nothing(session, settings):
    clock = FixedClock(DIGEST_NOW)
    day = build_day(session, clock)
    day.user.is_active = False
    session.flush()
    assert recipients(session, account_id=day.account.id) == []


def _member(session, account, *, name: str, timezone: str, clock) -> User:
    user = User(
        email=f"{name.lower()}@acme.test", password_hash="x", name=name, created_at=clock.now(), updated_at=clock.now()
    )
    session.add(user)
    session.flush()
    session.add(
        Membership(
            account_id=account.id,
            user_id=user.id,
            role=Role.member,
            created_at=long_before(clock).now(),
            updated_at=clock.now(),
        )
    )
    put_preferences(
        session,
        account_id=account.id,
        user=user,
        data=DigestPreferencesIn(enabled=True, timezone=timezone),
        clock=clock,
    )
    return user


def test_members_at_utc_plus_13_and_utc_minus_10_each_get_their_own_yesterday(session, session_factory, settings):
    """18:00 UTC on the 24th is 07:00 on the 25th in Tonga (UTC+13) and 08:00 on the 24th in Honolulu (UTC-10)."""
    clock = FixedClock(datetime(2026, 11, 24, 17, 59, tzinfo=UTC))
    account = make_account(session, clock=long_before(clock), timezone="UTC")
    owner(session, account).is_active = False  # only the two members below
    tonga = _member(session, account, name="Tevita", timezone="Pacific/Tongatapu", clock=clock)
    hawaii = _member(session, account, name="Keala", timezone="Pacific/Honolulu", clock=clock)
    client = make_client(session, account=account, clock=clock, name="Globex")
    early = make_invoice(session, client=client, clock=clock, number="EARLY", amount_minor=10_000)
    late = make_invoice(session, client=client, clock=clock, number="LATE", amount_minor=20_000)
    # 23:30 on the 23rd in Tonga, 00:30 on the 23rd in Honolulu.
    paid(session, early, amount_minor=10_000, when=datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
    # 23:30 on the 24th in Tonga (its yesterday), 00:30 on the 24th in Honolulu (its today).
    paid(session, late, amount_minor=20_000, when=datetime(2026, 11, 24, 10, 30, tzinfo=UTC))
    session.commit()

    # 06:59 in Tonga: not yet. 07:59 in Honolulu: its digest of the 24th (yesterday the 23rd: EARLY).
    run = send_due_digests(session_factory, settings=settings, clock=clock)
    assert (run.sent, run.empty) == (1, 0)
    clock.advance(minutes=1)
    assert send_due_digests(session_factory, settings=settings, clock=clock).sent == 1
    by_user = {m.to_email: m.content["text"] for m in digests(session)}
    assert "Paid yesterday: €100.00 in 1 payment." in by_user[hawaii.email]
    assert "November 23, 2026" in by_user[hawaii.email] and "LATE" not in by_user[hawaii.email]
    assert "Paid yesterday: €200.00 in 1 payment." in by_user[tonga.email]
    assert "November 24, 2026" in by_user[tonga.email] and "EARLY" not in by_user[tonga.email]
    assert sends(session) == sorted(
        [
            (tonga.id, date(2026, 11, 25), digests(session)[1].id),
            (hawaii.id, date(2026, 11, 24), digests(session)[0].id),
        ]
    )


def test_the_outbox_sends_it_to_the_member_even_in_test_mode(session, session_factory, settings):
    clock = FixedClock(DIGEST_NOW)
    day = build_day(session, clock)
    assert day.account.test_mode
    session.commit()
    send_due_digests(session_factory, settings=settings, clock=clock)
    provider = RecordingProvider()
    while send_queued_messages(session_factory, provider=provider, settings=settings, clock=clock, batch_size=1):
        pass
    mine = [m for m in provider.sent if m.to == day.user.email]
    assert [m.subject for m in mine] == ["DueSpark daily digest for Acme Studio: November 25, 2026"]
    assert mine[0].html is not None and "X-DueSpark-Test" not in mine[0].headers
