"""On PostgreSQL, with real commits: the same reply arriving through several doors at once is filed once
(one row, one forward), and different replies racing on one invoice each hold it without a 500."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.email.reply_address import reply_token
from duespark.inbound.parsing import parse_mime
from duespark.inbound.service import receive
from duespark.models import InboundMessage, Invoice, Message
from tests.conftest import TEST_NOW, make_test_settings
from tests.inbound import mails
from tests.inbound.conftest import INBOUND_DOMAIN
from tests.reminders.conftest import pg_db, pg_url  # noqa: F401  (fixtures)
from tests.reminders.support import make_world

TRIALS = 8
THREADS = 6


def _race(factory, settings, clock, raws: list[bytes]) -> list[BaseException]:
    barrier = threading.Barrier(len(raws))
    errors: list[BaseException] = []

    def deliver(index: int, raw: bytes) -> None:
        try:
            mail = parse_mime(raw)
            barrier.wait()
            with transaction(factory) as session:
                receive(
                    session,
                    mail=mail,
                    source=("postmark_inbound", "ses_inbound", "raw_inbound")[index % 3],
                    settings=settings,
                    clock=clock,
                )
        except BaseException as exc:  # every failure is reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(i, raw)) for i, raw in enumerate(raws)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_one_reply_through_many_doors_at_once_is_filed_once(pg_db, tmp_path):  # noqa: F811
    settings = make_test_settings(tmp_path, pg_db.url, inbound_domain=INBOUND_DOMAIN)
    clock = FixedClock(TEST_NOW)
    for trial in range(TRIALS):
        world = make_world(pg_db.factory, clock, client_email=f"john{trial}@globex.test")
        token = reply_token(settings, account_id=world.account_id, kind="i", object_id=world.invoice_ids[0])
        raw = mails.gmail("fr", to=f"reply+{token}@{INBOUND_DOMAIN}", message_id=f"<race-{trial}@mail.gmail.com>")
        assert _race(pg_db.factory, settings, clock, [raw] * THREADS) == []
        with pg_db.factory() as session:
            rows = session.scalars(select(InboundMessage).where(InboundMessage.account_id == world.account_id)).all()
            assert len(rows) == 1, trial
            forwards = session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.account_id == world.account_id, Message.kind == "reply_forward")
            )
            assert forwards == 1, trial


def test_different_replies_racing_on_one_invoice_all_hold_it(pg_db, tmp_path):  # noqa: F811
    settings = make_test_settings(tmp_path, pg_db.url, inbound_domain=INBOUND_DOMAIN)
    clock = FixedClock(TEST_NOW)
    for trial in range(TRIALS):
        world = make_world(pg_db.factory, clock, client_email=f"ann{trial}@globex.test")
        token = reply_token(settings, account_id=world.account_id, kind="i", object_id=world.invoice_ids[0])
        raws = [
            mails.outlook("de", to=f"reply+{token}@{INBOUND_DOMAIN}", message_id=f"<r{trial}-{i}@outlook.test>")
            for i in range(THREADS)
        ]
        assert _race(pg_db.factory, settings, clock, raws) == []
        with pg_db.factory() as session:
            count = session.scalar(
                select(func.count()).select_from(InboundMessage).where(InboundMessage.account_id == world.account_id)
            )
            assert count == THREADS
            invoice = session.get(Invoice, world.invoice_ids[0])
            assert (invoice.hold_kind, str(invoice.hold_until)) == ("reply", "2026-11-28")
