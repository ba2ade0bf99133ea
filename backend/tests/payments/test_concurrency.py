"""Invariant 11 on PostgreSQL: two changes to one invoice fired at the same moment, through the HTTP API with
two credentials of the same account (a sign-in's access token and a personal API token), over real
connections with real commits, leave the invoice as if they had run one after the other.

For each pair, the two serial outcomes are measured first (A then B, B then A, each on a fresh invoice):
the answers' status codes, the invoice's amounts and status, and its payments in the order they were
recorded. Then the pair is fired together (threads + a barrier) on fresh invoices, many times; every
trial must equal one of the serial outcomes, and no answer may be a 500.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import httpx
import pytest
import respx
from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import Client, Invoice, InvoiceAdjustment, Payment
from tests.conftest import TEST_NOW
from tests.helpers import make_invoice
from tests.payments.stripe_fixtures import (
    STRIPE_API,
    STRIPE_SECRET_KEY,
    WEBHOOK_SECRET,
    charge,
    checkout_session,
    event,
    next_id,
    sign,
    stripe_invoice,
)
from tests.races import RaceApp, race_app

TRIALS = 20
# What the mocked Stripe API lists as open invoices: the invoice of the trial under way.
STRIPE_OPEN: list[dict] = []
_numbers = itertools.count(1)


Api = RaceApp


@pytest.fixture(scope="module")
def api(postgres_server_url, tmp_path_factory) -> Iterator[Api]:
    """The race app (tests/races.py) with Stripe's API answered by respx: the open invoices of the trial."""
    directory = tmp_path_factory.mktemp("races")
    stripe = {"stripe_secret_key": STRIPE_SECRET_KEY, "stripe_webhook_secret": WEBHOOK_SECRET}
    with (
        race_app(postgres_server_url, directory, **stripe) as app,
        respx.mock(base_url=STRIPE_API, assert_all_called=False, assert_all_mocked=True) as stripe_api,
    ):
        stripe_api.get("/v1/invoices").mock(
            side_effect=lambda _request: httpx.Response(
                200, json={"object": "list", "url": "/v1/invoices", "has_more": False, "data": STRIPE_OPEN}
            )
        )
        yield app


# --- building blocks -------------------------------------------------------------------------------------

Setup = Callable[[Api, dict], None]
Request = Callable[[Api, dict, dict[str, str]], int]


def new_invoice(api: Api, amount_minor: int) -> dict:
    """Written straight to the database: the requests under test are the pair, not the setup."""
    with transaction(api.session_factory) as session:
        client = session.get(Client, api.client_id)
        invoice = make_invoice(
            session, client=client, clock=FixedClock(TEST_NOW), amount_minor=amount_minor, number=f"R-{next(_numbers)}"
        )
        return {"id": invoice.id, "account_id": invoice.account_id}


def pay(amount: str) -> Request:
    def request(api: Api, invoice: dict, headers: dict[str, str]) -> int:
        return api.http.post(
            f"/api/invoices/{invoice['id']}/payments", headers=headers, json={"amount": amount}
        ).status_code

    return request


def void(api: Api, invoice: dict, headers: dict[str, str]) -> int:
    return api.http.post(f"/api/invoices/{invoice['id']}/void", headers=headers).status_code


def edit_amount(amount: str) -> Request:
    def request(api: Api, invoice: dict, headers: dict[str, str]) -> int:
        return api.http.patch(f"/api/invoices/{invoice['id']}", headers=headers, json={"amount": amount}).status_code

    return request


def waive(api: Api, invoice: dict, headers: dict[str, str]) -> int:
    url = f"/api/invoices/{invoice['id']}/adjustments/{invoice['fee_id']}/waive"
    return api.http.post(url, headers=headers).status_code


def _as_invoice(invoice: dict) -> SimpleNamespace:
    return SimpleNamespace(id=invoice["id"], account_id=invoice["account_id"], currency="EUR", balance_minor=0)


def _webhook(api: Api, payload: dict) -> int:
    data = json.dumps(payload).encode()
    response = api.http.post(
        "/api/webhooks/stripe",
        content=data,
        headers={"Stripe-Signature": sign(data), "Content-Type": "application/json"},
    )
    return response.status_code


def card_payment(amount_minor: int) -> Request:
    """Stripe Checkout's webhook for a card payment (no credential: Stripe signs it)."""

    def request(api: Api, invoice: dict, _headers: dict[str, str]) -> int:
        session = checkout_session(_as_invoice(invoice), amount_total=amount_minor, payment_intent=next_id("pi"))
        return _webhook(api, event("checkout.session.completed", session))

    return request


def refund(amount_refunded: int) -> Request:
    """Stripe's charge.refunded with the charge's cumulative refunded amount."""

    def request(api: Api, invoice: dict, _headers: dict[str, str]) -> int:
        obj = charge(
            _as_invoice(invoice),
            charge_id=invoice["charge_id"],
            intent_id=invoice["intent_id"],
            amount=10_000,
            amount_refunded=amount_refunded,
        )
        return _webhook(api, event("charge.refunded", obj))

    return request


def _fee(invoice: dict, step_key: str) -> LateFee:
    return LateFee(
        account_id=invoice["account_id"],
        invoice_id=invoice["id"],
        step_key=step_key,
        offset_days=7,
        kind="fixed",
        amount_minor=1_000,
        currency="EUR",
        base_minor=10_000,
    )


def charge_fee(api: Api, invoice: dict, _headers: dict[str, str]) -> int:
    """The worker's write when a reminder with a late fee was sent (reminders/fees.record_sent)."""
    with transaction(api.session_factory) as session:
        added = adjustments.record(session.connection(), _fee(invoice, "race"), reminder_id=None, now=TEST_NOW)
    return 201 if added else 200


def with_fee(api: Api, invoice: dict) -> None:
    with transaction(api.session_factory) as session:
        assert adjustments.record(session.connection(), _fee(invoice, "setup"), reminder_id=None, now=TEST_NOW)
        invoice["fee_id"] = session.scalar(
            select(InvoiceAdjustment.id).where(InvoiceAdjustment.invoice_id == invoice["id"])
        )


def paid_by_card(api: Api, invoice: dict) -> None:
    invoice["intent_id"], invoice["charge_id"] = next_id("pi"), next_id("ch")
    session = checkout_session(_as_invoice(invoice), amount_total=10_000, payment_intent=invoice["intent_id"])
    assert _webhook(api, event("checkout.session.completed", session)) == 200


def in_stripe(api: Api, invoice: dict) -> None:
    """Imported from Stripe, where its amount due was since lowered to 50.00."""
    stripe_id = next_id("in")
    with transaction(api.session_factory) as session:
        session.get(Invoice, invoice["id"]).external_id = f"stripe:{stripe_id}"
    STRIPE_OPEN[:] = [stripe_invoice(invoice_id=stripe_id, amount_due=5_000, currency="eur")]


def stripe_import(api: Api, _invoice: dict, headers: dict[str, str]) -> int:
    return api.http.post("/api/integrations/stripe/import", headers=headers).status_code


def outcome(api: Api, invoice: dict, codes: tuple[int, int]) -> tuple:
    """What a person can see afterwards: both answers, the invoice's figures, its payments in the order
    they were recorded (a payment recorded after another was refused for it is no serial outcome)."""
    with transaction(api.session_factory) as session:
        row = session.get(Invoice, invoice["id"])
        figures = (row.status, row.amount_minor, row.fees_minor, row.amount_paid_minor, row.balance_minor)
        payments = session.execute(
            select(Payment.method, Payment.amount_minor).where(Payment.invoice_id == row.id).order_by(Payment.id)
        ).all()
    return codes, figures, tuple(tuple(p) for p in payments)


def prepare(api: Api, setup: Setup | None, amount_minor: int) -> dict:
    invoice = new_invoice(api, amount_minor)
    if setup is not None:
        setup(api, invoice)
    return invoice


def serial(api: Api, first: Request, second: Request, setup: Setup | None, amount: int, flip: bool) -> tuple:
    invoice = prepare(api, setup, amount)
    if flip:
        b = second(api, invoice, api.second)
        a = first(api, invoice, api.first)
    else:
        a = first(api, invoice, api.first)
        b = second(api, invoice, api.second)
    return outcome(api, invoice, (a, b))


def together(api: Api, first: Request, second: Request, setup: Setup | None, amount: int) -> tuple:
    invoice = prepare(api, setup, amount)
    barrier = threading.Barrier(2)
    codes: dict[int, int] = {}
    errors: list[BaseException] = []

    def fire(slot: int, request: Request, headers: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=10)
            codes[slot] = request(api, invoice, headers)
        except BaseException as exc:  # reported below, with the trial
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
    # 100.00 invoice, two payments of 60.00: the second is refused (422, more than the balance of 40.00).
    "pay+pay overpay": (pay("60.00"), pay("60.00"), None, 10_000),
    # Paid in full and voided at once: one of them is refused (409), never a void invoice holding a payment.
    "pay+void": (pay("100.00"), void, None, 10_000),
    "void+pay partial": (void, pay("60.00"), None, 10_000),
    # Cumulative refunds of one charge: 60.00 then 100.00 refunds 100.00 in all, never 160.00.
    "refund+refund": (refund(6_000), refund(10_000), paid_by_card, 10_000),
    # 100.00 + a 10.00 fee: paying 110.00 while the fee is waived overpays nothing.
    "waive+pay": (waive, pay("110.00"), with_fee, 10_000),
    "waive+waive": (waive, waive, with_fee, 10_000),
    # The worker charges a 10.00 fee while the invoice is paid in full: charged before (still 10.00 due) or not.
    "fee charge+payment": (charge_fee, pay("100.00"), None, 10_000),
    # A card payment recorded by Stripe's webhook and a manual payment of the same invoice.
    "webhook payment+manual payment": (card_payment(6_000), pay("60.00"), None, 10_000),
    # The amount lowered below what a payment at the same moment brings in: by an edit, or by a Stripe import.
    "stripe import+payment": (stripe_import, pay("60.00"), in_stripe, 10_000),
    "pay+edit amount": (pay("60.00"), edit_amount("50.00"), None, 10_000),
}


# The serial outcomes of some pairs, written out: (answers A then B, B then A), figures, payments.
SERIAL = {
    "pay+pay overpay": {
        ((201, 422), ("partially_paid", 10_000, 0, 6_000, 4_000), (("manual", 6_000),)),
        ((422, 201), ("partially_paid", 10_000, 0, 6_000, 4_000), (("manual", 6_000),)),
    },
    "pay+void": {
        ((201, 409), ("paid", 10_000, 0, 10_000, 0), (("manual", 10_000),)),
        ((409, 200), ("void", 10_000, 0, 0, 10_000), ()),
    },
    # A void invoice never holds money: whichever came first, the other is refused.
    "void+pay partial": {
        ((200, 409), ("void", 10_000, 0, 0, 10_000), ()),
        ((409, 201), ("partially_paid", 10_000, 0, 6_000, 4_000), (("manual", 6_000),)),
    },
    "refund+refund": {
        ((200, 200), ("open", 10_000, 0, 0, 10_000), (("stripe", 10_000), ("stripe", -6_000), ("stripe", -4_000))),
        ((200, 200), ("open", 10_000, 0, 0, 10_000), (("stripe", 10_000), ("stripe", -10_000))),
    },
    "waive+waive": {((200, 200), ("open", 10_000, 0, 0, 10_000), ())},
    "pay+edit amount": {
        ((201, 422), ("partially_paid", 10_000, 0, 6_000, 4_000), (("manual", 6_000),)),
        ((422, 200), ("open", 5_000, 0, 0, 5_000), ()),
    },
    "stripe import+payment": {
        ((200, 422), ("open", 5_000, 0, 0, 5_000), ()),
        ((200, 201), ("paid", 6_000, 0, 6_000, 0), (("manual", 6_000),)),
    },
}


@pytest.mark.parametrize("pair", list(PAIRS))
def test_conflicting_changes_at_the_same_moment_act_one_after_the_other(api, pair):
    first, second, setup, amount = PAIRS[pair]
    allowed = {serial(api, first, second, setup, amount, flip) for flip in (False, True)}
    if pair in SERIAL:
        assert allowed == SERIAL[pair]
    for codes, _figures, _payments in allowed:
        assert set(codes) <= {200, 201, 409, 422}, (pair, codes)
    seen = [together(api, first, second, setup, amount) for _ in range(TRIALS)]
    wrong = [trial for trial in seen if trial not in allowed]
    assert not wrong, (
        f"{pair}: {len(wrong)} of {TRIALS} trials match no serial outcome; first: {wrong[0]}; serial: {allowed}"
    )


def test_two_stripe_imports_at_the_same_moment_create_each_invoice_once(api):
    """Both imports answer 200 (no unique-key violation as a 500) and the Stripe invoice is imported once."""
    for _ in range(TRIALS // 2):
        stripe_id = next_id("in")
        STRIPE_OPEN[:] = [stripe_invoice(invoice_id=stripe_id, amount_due=5_000, currency="eur", number=stripe_id)]
        codes, _figures, _payments = together(api, stripe_import, stripe_import, None, 10_000)
        assert codes == (200, 200)
        with transaction(api.session_factory) as session:
            imported = session.scalars(select(Invoice).where(Invoice.external_id == f"stripe:{stripe_id}")).all()
        assert [(i.amount_minor, i.status) for i in imported] == [(5_000, "open")]
