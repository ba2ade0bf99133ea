"""Two workers running the digest job at the same moment on PostgreSQL, with real commits: each member
gets one digest per local day, never two."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.digest.worker import send_due_digests
from duespark.models import DigestSend, Message
from tests.conftest import make_test_settings
from tests.digest.support import DIGEST_NOW, build_day
from tests.reminders.conftest import pg_db, pg_url  # noqa: F401  # fixtures

DAYS = 5


def test_two_workers_racing_send_each_digest_once(pg_db, tmp_path):  # noqa: F811
    settings = make_test_settings(tmp_path, pg_db.url)
    clock = FixedClock(DIGEST_NOW)
    with transaction(pg_db.factory) as session:
        build_day(session, clock)
    for day in range(DAYS):
        # Each day the same facts' window moves, but the pending reminders and open answers keep every day non-empty.
        at = FixedClock(DIGEST_NOW + timedelta(days=day))
        barrier = threading.Barrier(2)
        runs = []

        def worker(at=at, barrier=barrier, runs=runs) -> None:
            barrier.wait()
            runs.append(send_due_digests(pg_db.factory, settings=settings, clock=at))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sum(run.sent for run in runs) == 2, runs  # Acme's owner and Other Co's owner
    with transaction(pg_db.factory, write=False) as session:
        assert session.scalar(select(func.count()).where(Message.kind == "daily_digest")) == 2 * DAYS
        per_day = session.execute(
            select(DigestSend.user_id, DigestSend.local_date, func.count()).group_by(
                DigestSend.user_id, DigestSend.local_date
            )
        ).all()
        assert len(per_day) == 2 * DAYS and {count for _, _, count in per_day} == {1}
        linked = session.scalar(select(func.count()).where(DigestSend.message_id.is_not(None)))
        assert linked == 2 * DAYS
