"""Invariant 11 on PostgreSQL for clients' answers: a payment claim confirmed while a payment is recorded, two
confirms with two credentials, a confirm and a reject, two promises from one link, all at the same moment over
real connections with real commits. Every trial must equal one of the two serial outcomes (A then B, B then A),
the invoice is never overpaid and no payment is recorded twice."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Client, ClientAnswer, Invoice, Payment
from tests.answers.support import pay_token
from tests.conftest import TEST_NOW
from tests.helpers import make_invoice
from tests.races import RaceApp, race_app

TRIALS = 25
_numbers = itertools.count(1)


Api = RaceApp


@pytest.fixture(scope="module")
def api(postgres_server_url, tmp_path_factory) -> Iterator[Api]:
    with race_app(postgres_server_url, tmp_path_factory.mktemp("answer-races")) as app:
        yield app


Request = Callable[[Api, dict, dict[str, str]], int]


def new_invoice(api: Api, *, claim: bool) -> dict:
    with transaction(api.session_factory) as session:
        client = session.get(Client, api.client_id)
        invoice = make_invoice(
            session, client=client, clock=FixedClock(TEST_NOW), amount_minor=10_000, number=f"A-{next(_numbers)}"
        )
        found = {"id": invoice.id, "token": pay_token(api.settings, invoice.id)}
    if claim:
        posted = api.http.post(
            f"/pay/{found['token']}/answers/paid_claim",
            data={"paid_on": "2026-11-24", "reference": "SEPA-1"},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        with transaction(api.session_factory) as session:
            found["claim_id"] = session.scalar(select(ClientAnswer.id).where(ClientAnswer.invoice_id == invoice.id))
    return found


def confirm(api: Api, invoice: dict, headers: dict[str, str]) -> int:
    return api.http.post(f"/api/answers/{invoice['claim_id']}/confirm", headers=headers).status_code


def reject(api: Api, invoice: dict, headers: dict[str, str]) -> int:
    return api.http.post(f"/api/answers/{invoice['claim_id']}/reject", headers=headers, json={}).status_code


def pay(amount: str) -> Request:
    def request(api: Api, invoice: dict, headers: dict[str, str]) -> int:
        return api.http.post(
            f"/api/invoices/{invoice['id']}/payments", headers=headers, json={"amount": amount}
        ).status_code

    return request


def promise(day: str) -> Request:
    def request(api: Api, invoice: dict, _headers: dict[str, str]) -> int:
        return api.http.post(
            f"/pay/{invoice['token']}/answers/promise", data={"promised_date": day}, follow_redirects=False
        ).status_code

    return request


def outcome(api: Api, invoice: dict, codes: tuple[int, int]) -> tuple:
    with transaction(api.session_factory) as session:
        row = session.get(Invoice, invoice["id"])
        figures = (row.status, row.amount_paid_minor, row.balance_minor, row.hold_kind)
        payments = session.execute(
            select(Payment.amount_minor, Payment.external_reference)
            .where(Payment.invoice_id == row.id)
            .order_by(Payment.id)
        ).all()
        answers = session.execute(
            select(ClientAnswer.kind, ClientAnswer.status, ClientAnswer.promised_date)
            .where(ClientAnswer.invoice_id == row.id)
            .order_by(ClientAnswer.id)
        ).all()
        # Never overpaid, never a payment the invoice does not account for.
        assert 0 <= row.amount_paid_minor <= row.total_minor
        assert sum(p.amount_minor for p in payments) == row.amount_paid_minor
    return codes, figures, tuple(tuple(p) for p in payments), tuple(tuple(a) for a in answers)


def serial(api: Api, first: Request, second: Request, claim: bool, flip: bool) -> tuple:
    invoice = new_invoice(api, claim=claim)
    if flip:
        b = second(api, invoice, api.second)
        a = first(api, invoice, api.first)
    else:
        a = first(api, invoice, api.first)
        b = second(api, invoice, api.second)
    return outcome(api, invoice, (a, b))


def together(api: Api, first: Request, second: Request, claim: bool) -> tuple:
    invoice = new_invoice(api, claim=claim)
    barrier = threading.Barrier(2)
    codes: dict[int, int] = {}
    errors: list[BaseException] = []

    def fire(slot: int, request: Request, headers: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=10)
            codes[slot] = request(api, invoice, headers)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=fire, args=(0, first, api.first)),
        threading.Thread(target=fire, args=(1, second, api.second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return outcome(api, invoice, (codes[0], codes[1]))


PAIRS = {
    "confirm+confirm": (confirm, confirm, True),
    "confirm+manual payment in full": (confirm, pay("100.00"), True),
    "confirm+manual payment in part": (confirm, pay("60.00"), True),
    "confirm+reject": (confirm, reject, True),
    "promise+promise from one link": (promise("2026-12-01"), promise("2026-12-09"), False),
}

# Written out where the answer is worth reading: two confirms record one payment, whichever order.
SERIAL = {
    "confirm+confirm": {
        (
            (200, 200),
            ("paid", 10_000, 0, None),
            ((10_000, "SEPA-1"),),
            (("paid_claim", "confirmed", None),),
        )
    },
    "confirm+manual payment in part": {
        # Confirmed first: all of it was recorded, the later payment finds the invoice paid.
        ((200, 409), ("paid", 10_000, 0, None), ((10_000, "SEPA-1"),), (("paid_claim", "confirmed", None),)),
        # Paid in part first: the confirm records only what is left.
        (
            (200, 201),
            ("paid", 10_000, 0, None),
            ((6_000, None), (4_000, "SEPA-1")),
            (("paid_claim", "confirmed", None),),
        ),
    },
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_answers_fired_together_end_as_one_after_the_other(api, name):
    first, second, claim = PAIRS[name]
    allowed = {serial(api, first, second, claim, flip=False), serial(api, first, second, claim, flip=True)}
    if name in SERIAL:
        assert allowed == SERIAL[name]
    seen = set()
    for _ in range(TRIALS):
        result = together(api, first, second, claim)
        assert result in allowed, (name, result, allowed)
        seen.add(result)
    assert seen  # every trial was one of the serial outcomes
