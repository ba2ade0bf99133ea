from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from duespark.email.reply_address import reply_token
from duespark.models import Account, Client, Invoice, Membership, User
from tests.conftest import make_test_settings
from tests.helpers import make_client, make_invoice, register

INBOUND_DOMAIN = "in.duespark.test"
HOOK_USER, HOOK_PASSWORD = "inbound", "inbound-password-0123456789"
INBOUND_TOPIC = "arn:aws:sns:eu-west-1:123456789012:duespark-inbound"


@pytest.fixture
def settings(tmp_path, database_url):
    return make_test_settings(
        tmp_path,
        database_url,
        inbound_domain=INBOUND_DOMAIN,
        inbound_webhook_username=HOOK_USER,
        inbound_webhook_password=HOOK_PASSWORD,
        inbound_sns_topic_arns=[INBOUND_TOPIC],
        inbound_attachment_keep_bytes=1000,
    )


@dataclass
class Owner:
    headers: dict[str, str]
    email: str
    account: Account
    customer: Client
    invoice: Invoice
    token: str

    @property
    def address(self) -> str:
        return f"reply+{self.token}@{INBOUND_DOMAIN}"


def make_owner(client, session, clock, settings, *, client_email: str = "john@globex.test") -> Owner:
    user = register(client)
    session.expire_all()
    account = session.scalars(
        select(Account)
        .join(Membership, Membership.account_id == Account.id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == user["email"])
    ).one()
    account.test_mode = False
    customer = make_client(session, account=account, clock=clock, email=client_email)
    invoice = make_invoice(session, client=customer, clock=clock, due_in_days=-10)
    session.commit()
    token = reply_token(settings, account_id=account.id, kind="i", object_id=invoice.id)
    return Owner(user["headers"], user["email"], account, customer, invoice, token)


@pytest.fixture
def owner(client, session, clock, settings) -> Owner:
    return make_owner(client, session, clock, settings)


@pytest.fixture
def other(client, session, clock, settings) -> Owner:
    return make_owner(client, session, clock, settings, client_email="eve@initech.test")
