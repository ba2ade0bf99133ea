"""Dashboard summaries asked for at once share a computation, never one that read before they arrived.

The app runs on a database of its own (an SQLite file, a PostgreSQL database) so that every request reads
over its own connection, as in production."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from duespark.insights import router, service
from tests.races import app_on, race_app


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request, tmp_path):
    if request.param == "sqlite":
        with app_on(f"sqlite:///{tmp_path / 'shared.db'}", tmp_path) as app:
            yield app
        return
    with race_app(request.getfixturevalue("postgres_server_url"), tmp_path) as app:
        yield app


def test_summaries_asked_during_one_share_the_next_which_sees_what_was_written_before_them(api, monkeypatch):
    def add_invoice(number: str, amount: str) -> None:
        body = {"client_id": api.client_id, "number": number, "amount": amount}
        body |= {"issue_date": "2026-11-20", "due_date": "2026-12-20"}
        created = api.http.post("/api/invoices", headers=api.first, json=body)
        assert created.status_code == 201, created.text

    add_invoice("INV-1", "100.00")
    may_finish = threading.Event()
    computed = []
    real_summary = service.summary

    def summary_that_holds_the_first_two(*args, **kwargs):
        result = real_summary(*args, **kwargs)
        computed.append(result)
        if len(computed) <= 2:
            assert may_finish.wait(10)
        return result

    monkeypatch.setattr(service, "summary", summary_that_holds_the_first_two)
    arrived = []
    shared_run = router._summaries.run

    async def counted_run(key, work):
        arrived.append(key)
        return await shared_run(key, work)

    monkeypatch.setattr(router._summaries, "run", counted_run)

    def outstanding(headers: dict[str, str]) -> str:
        response = api.http.get("/api/insights/summary", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["currencies"][0]["outstanding"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(outstanding, api.first)
        _until(lambda: len(computed) == 1)
        # Committed after the first summary read the invoices, before the others are asked for.
        add_invoice("INV-2", "50.00")
        # Two summaries run at once: the second caller starts its own, which reads the new invoice.
        second = pool.submit(outstanding, api.second)
        _until(lambda: len(computed) == 2)
        # Five more, from both credentials (a browser and a script of the same account), find both busy.
        others = [pool.submit(outstanding, (api.first, api.second)[n % 2]) for n in range(5)]
        _until(lambda: len(arrived) == 7)
        may_finish.set()
        assert first.result() == "100.00"
        assert [other.result() for other in (second, *others)] == ["150.00"] * 6
    # The five shared one computation, begun when one of the two running ended.
    assert len(computed) == 3


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)
