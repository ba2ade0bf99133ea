"""Invariant 11 on PostgreSQL for reconciliation: the same entry confirmed by two credentials at once, to
the same or to two different invoices, a confirm racing a manual payment on the same invoice, and a bulk
confirm racing a single one. Real connections, real commits, many trials: every trial equals one of the
two serial outcomes, the invoice is never overpaid and an entry has exactly one payment."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from duespark.db import transaction
from duespark.models import Invoice, Payment, StatementEntry
from tests.races import RaceApp, race_app
from tests.reconciliation.samples import Ntry, Tx, camt053
from tests.reconciliation.support import URL, upload

TRIALS = 20
_numbers = itertools.count(1)


Api = RaceApp


@pytest.fixture(scope="module")
def api(postgres_server_url, tmp_path_factory) -> Iterator[Api]:
    acme = {"name": "Acme", "email": "a@acme.io"}  # the payer the statements name
    with race_app(postgres_server_url, tmp_path_factory.mktemp("recon-races"), client=acme) as app:
        yield app


@dataclass
class Case:
    invoices: dict[str, int]  # label -> id
    entry_id: int
    other_entry_id: int


def new_case(api: Api) -> Case:
    n = next(_numbers)
    invoices = {}
    for label in ("A", "B"):
        made = api.http.post(
            "/api/invoices",
            headers=api.first,
            json={
                "client_id": api.client_id,
                "number": f"R{n}-{label}",
                "amount": "100.00",
                "issue_date": "2026-11-01",
                "due_date": "2026-11-30",
            },
        )
        assert made.status_code == 201, made.text
        invoices[label] = made.json()["id"]
    data = camt053(
        [
            Ntry("100.00", acct_svcr_ref=f"RACE-{n}-1", txs=[Tx(payer="Acme", ustrd=[f"R{n}-A"])]),
            Ntry("30.00", acct_svcr_ref=f"RACE-{n}-2", txs=[Tx(payer="Acme", ustrd=[f"R{n}-A part"])]),
        ],
        stmt_id=f"S-{n}",
    )
    statement = upload(api.http, api.first, data).json()["statement"]
    with transaction(api.session_factory) as session:
        ids = session.scalars(
            select(StatementEntry.id).where(StatementEntry.statement_id == statement["id"]).order_by(StatementEntry.id)
        ).all()
    return Case(invoices, ids[0], ids[1])


Request = Callable[[Api, Case, dict[str, str]], int]


def confirm(label: str | None = None, *, other: bool = False) -> Request:
    def request(api: Api, case: Case, headers: dict[str, str]) -> int:
        body = {"invoice_id": case.invoices[label]} if label else None
        entry = case.other_entry_id if other else case.entry_id
        return api.http.post(f"{URL}/entries/{entry}/confirm", headers=headers, json=body).status_code

    return request


def bulk(api: Api, case: Case, headers: dict[str, str]) -> int:
    items = [{"entry_id": case.other_entry_id}, {"entry_id": case.entry_id}]
    return api.http.post(f"{URL}/confirm", headers=headers, json={"items": items}).status_code


def pay(amount: str) -> Request:
    def request(api: Api, case: Case, headers: dict[str, str]) -> int:
        return api.http.post(
            f"/api/invoices/{case.invoices['A']}/payments", headers=headers, json={"amount": amount}
        ).status_code

    return request


def outcome(api: Api, case: Case, codes: tuple[int, int]) -> tuple:
    labels = {v: k for k, v in case.invoices.items()}
    with transaction(api.session_factory) as session:
        figures = []
        for label, invoice_id in sorted(case.invoices.items()):
            row = session.get(Invoice, invoice_id)
            assert 0 <= row.amount_paid_minor <= row.total_minor  # never overpaid
            paid = session.scalars(select(Payment.amount_minor).where(Payment.invoice_id == invoice_id)).all()
            assert sum(paid) == row.amount_paid_minor
            figures.append((label, row.status, row.amount_paid_minor, tuple(sorted(paid))))
        entries = []
        for entry_id in (case.entry_id, case.other_entry_id):
            entry = session.get(StatementEntry, entry_id)
            if entry.payment_id is not None:  # exactly one payment, of the invoice the entry names
                payment = session.get(Payment, entry.payment_id)
                assert (payment.invoice_id, payment.amount_minor) == (entry.invoice_id, entry.applied_minor)
            entries.append((entry.status, labels.get(entry.invoice_id), entry.applied_minor))
    return codes, tuple(figures), tuple(entries)


def serial(api: Api, first: Request, second: Request, flip: bool) -> tuple:
    case = new_case(api)
    if flip:
        b = second(api, case, api.second)
        a = first(api, case, api.first)
    else:
        a = first(api, case, api.first)
        b = second(api, case, api.second)
    return outcome(api, case, (a, b))


def together(api: Api, first: Request, second: Request) -> tuple:
    case = new_case(api)
    barrier = threading.Barrier(2)
    codes: dict[int, int] = {}
    errors: list[BaseException] = []

    def fire(slot: int, request: Request, headers: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=10)
            codes[slot] = request(api, case, headers)
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
        assert not thread.is_alive(), "a request never returned"
    assert errors == []
    return outcome(api, case, (codes[0], codes[1]))


PAIRS = {
    "confirm+confirm by two credentials": (confirm(), confirm()),
    "confirm to A+confirm to B": (confirm("A"), confirm("B")),
    "confirm+manual payment in full": (confirm(), pay("100.00")),
    "confirm+manual payment in part": (confirm(), pay("60.00")),
    "bulk confirm+single confirm": (bulk, confirm()),
}
UNTOUCHED_B = ("B", "open", 0, ())

# Written out where the answer is worth reading.
SERIAL = {
    "confirm+confirm by two credentials": {
        (
            (200, 200),
            (("A", "paid", 10_000, (10_000,)), UNTOUCHED_B),
            (("confirmed", "A", 10_000), ("open", None, None)),
        )
    },
    "confirm to A+confirm to B": {
        (
            (200, 409),
            (("A", "paid", 10_000, (10_000,)), UNTOUCHED_B),
            (("confirmed", "A", 10_000), ("open", None, None)),
        ),
        (
            (409, 200),
            (("A", "open", 0, ()), ("B", "paid", 10_000, (10_000,))),
            (("confirmed", "B", 10_000), ("open", None, None)),
        ),
    },
    "confirm+manual payment in part": {
        # Confirmed first: paid in full; the manual payment finds nothing owed.
        (
            (200, 409),
            (("A", "paid", 10_000, (10_000,)), UNTOUCHED_B),
            (("confirmed", "A", 10_000), ("open", None, None)),
        ),
        # Paid in part first: the entry applies only the 40.00 still owed, 60.00 of it stays unapplied.
        (
            (200, 201),
            (("A", "paid", 10_000, (4_000, 6_000)), UNTOUCHED_B),
            (("confirmed", "A", 4_000), ("open", None, None)),
        ),
    },
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_reconciliation_fired_together_ends_as_one_after_the_other(api, name):
    first, second = PAIRS[name]
    allowed = {serial(api, first, second, flip=False), serial(api, first, second, flip=True)}
    if name in SERIAL:
        assert allowed == SERIAL[name]
    for _ in range(TRIALS):
        result = together(api, first, second)
        assert result in allowed, (name, result, allowed)


def _fire_together(*requests: Callable[[], int]) -> list[int]:
    barrier = threading.Barrier(len(requests))
    codes: list[int] = [0] * len(requests)
    errors: list[BaseException] = []

    def fire(slot: int) -> None:
        try:
            barrier.wait(timeout=10)
            codes[slot] = requests[slot]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return codes


def test_the_same_bookings_imported_twice_at_once_are_stored_once(api):
    from duespark.models import BankStatement

    for trial in range(TRIALS):
        bookings = [
            Ntry("10.00", acct_svcr_ref=f"IMP-{trial}-1", txs=[Tx(payer="Acme", ustrd=["x"])]),
            Ntry("20.00", acct_svcr_ref=f"IMP-{trial}-2", txs=[Tx(payer="Acme", ustrd=["y"])]),
        ]
        same = camt053(bookings, stmt_id=f"IMP-{trial}")
        other_version = camt053(bookings, stmt_id=f"IMP-{trial}", version=8)
        # The same file twice: one statement (201), the other request finds it (200).
        codes = _fire_together(
            lambda data=same: upload(api.http, api.first, data).status_code,
            lambda data=same: upload(api.http, api.second, data).status_code,
        )
        assert sorted(codes) == [200, 201]
        # The same bookings in another file afterwards: a statement, and no entry twice.
        assert upload(api.http, api.second, other_version).status_code == 201
        with transaction(api.session_factory) as session:
            keys = session.scalars(
                select(StatementEntry.entry_key).where(StatementEntry.entry_key.like(f"%:ntry:IMP-{trial}-%"))
            ).all()
            assert sorted(keys) == sorted(set(keys)) and len(keys) == 2
            statements = session.scalars(
                select(BankStatement.entries_new).where(BankStatement.statement_ref == f"IMP-{trial}")
            ).all()
            assert sorted(statements) == [0, 2]


def test_overlapping_files_imported_at_once_store_each_booking_once(api):
    from duespark.models import BankStatement

    for trial in range(TRIALS):
        shared = Ntry("30.00", acct_svcr_ref=f"OVL-{trial}-shared", txs=[Tx(payer="Acme", ustrd=["z"])])
        first = camt053([shared, Ntry("1.00", acct_svcr_ref=f"OVL-{trial}-a")], stmt_id=f"OVL-{trial}")
        second = camt053([Ntry("2.00", acct_svcr_ref=f"OVL-{trial}-b"), shared], stmt_id=f"OVL-{trial}")
        codes = _fire_together(
            lambda data=first: upload(api.http, api.first, data).status_code,
            lambda data=second: upload(api.http, api.second, data).status_code,
        )
        assert codes == [201, 201]
        with transaction(api.session_factory) as session:
            keys = session.scalars(
                select(StatementEntry.entry_key).where(StatementEntry.entry_key.like(f"%:ntry:OVL-{trial}-%"))
            ).all()
            assert len(keys) == 3 == len(set(keys))
            new = session.scalars(
                select(BankStatement.entries_new).where(BankStatement.statement_ref == f"OVL-{trial}")
            ).all()
            assert sorted(new) == [1, 2]
