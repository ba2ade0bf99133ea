from __future__ import annotations

import pytest

from duespark.errors import NotFound
from duespark.invoices.service import apply_payment, record_manual_payment
from duespark.models.enums import InvoiceStatus
from duespark.payments.crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from duespark.settings import Settings
from duespark.signing import sign_token, verify_token
from tests.conftest import TEST_NOW, TEST_SECRET
from tests.helpers import make_account, make_client, make_invoice

OLD_KEY = "previous-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"


def settings_with(*keys: str) -> Settings:
    return Settings(env="test", secret_keys=list(keys))


def test_tokens_round_trip_and_bind_their_purpose():
    settings = settings_with(TEST_SECRET)
    token = sign_token(settings, "pay-invoice", 42)
    assert verify_token(settings, "pay-invoice", token) == "42"
    assert "/" not in token and "+" not in token and "=" not in token
    with pytest.raises(NotFound):
        verify_token(settings, "client-portal", token)


@pytest.mark.parametrize("token", ["", ".", "42", "NDI.", "NDI.!!!", "NDM" + ".AAAAAAAAAAAAAAAAAAAAAA", "\u00e9.x"])
def test_malformed_or_forged_tokens_are_404(token):
    with pytest.raises(NotFound):
        verify_token(settings_with(TEST_SECRET), "pay-invoice", token)


def test_value_swapped_under_a_valid_mac_is_refused():
    settings = settings_with(TEST_SECRET)
    _, mac = sign_token(settings, "pay-invoice", 42).split(".")
    other_value, _ = sign_token(settings, "pay-invoice", 43).split(".")
    with pytest.raises(NotFound):
        verify_token(settings, "pay-invoice", f"{other_value}.{mac}")


def test_rotation_old_links_keep_working_while_the_old_key_is_listed():
    old_link = sign_token(settings_with(OLD_KEY), "pay-invoice", 7)
    rotated = settings_with(TEST_SECRET, OLD_KEY)
    assert verify_token(rotated, "pay-invoice", old_link) == "7"
    assert sign_token(rotated, "pay-invoice", 7) != old_link
    with pytest.raises(NotFound):
        verify_token(settings_with(TEST_SECRET), "pay-invoice", old_link)


def test_encrypted_secrets_survive_rotation_only_while_the_old_key_is_listed():
    stored = encrypt_secret(settings_with(OLD_KEY), "sk_test_secret")
    assert "sk_test_secret" not in stored
    assert decrypt_secret(settings_with(TEST_SECRET, OLD_KEY), stored) == "sk_test_secret"
    with pytest.raises(SecretUnreadable):
        decrypt_secret(settings_with(TEST_SECRET), stored)


@pytest.fixture
def invoice(session, clock):
    account = make_account(session, clock=clock)
    return make_invoice(
        session, client=make_client(session, account=account, clock=clock), clock=clock, amount_minor=10_000
    )


def test_apply_payment_refunds_reopen_and_follow_the_balance(session, clock, invoice, published):
    apply_payment(session, invoice=invoice, amount_minor=10_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.paid_at) == (InvoiceStatus.paid, TEST_NOW)
    apply_payment(session, invoice=invoice, amount_minor=-4_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.amount_paid_minor, invoice.paid_at) == (InvoiceStatus.partially_paid, 6_000, None)
    apply_payment(session, invoice=invoice, amount_minor=-1_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.amount_paid_minor) == (InvoiceStatus.partially_paid, 5_000)
    apply_payment(session, invoice=invoice, amount_minor=-5_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.amount_paid_minor, invoice.balance_minor) == (InvoiceStatus.open, 0, 10_000)
    assert [change for change, _ in published] == ["paid", "reopened", "payment_recorded", "payment_recorded"]


def test_overpayment_is_recorded_and_a_refund_of_the_excess_keeps_it_paid(session, clock, invoice):
    apply_payment(session, invoice=invoice, amount_minor=12_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.balance_minor) == (InvoiceStatus.paid, -2_000)
    apply_payment(session, invoice=invoice, amount_minor=-2_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert (invoice.status, invoice.balance_minor, invoice.paid_at) == (InvoiceStatus.paid, 0, TEST_NOW)


def test_manual_payment_has_the_same_effects(session, clock, invoice, published):
    record_manual_payment(
        session,
        invoice=invoice,
        amount="100.00",
        method="manual",
        paid_at=None,
        reference="bank-1",
        note=None,
        clock=clock,
    )
    assert invoice.status == InvoiceStatus.paid
    assert published == [("paid", (invoice.id,))]
