from __future__ import annotations

import pytest

from duespark.models import Account
from tests.helpers import make_account, make_client, register


@pytest.fixture
def owner(client, session) -> dict:
    """A registered user (through the API) and their account, for API tests."""
    user = register(client)
    me = client.get("/api/me", headers=user["headers"]).json()
    return {**user, "account": session.get(Account, me["account"]["id"])}


@pytest.fixture
def account(session, clock) -> Account:
    return make_account(session, clock=clock)


@pytest.fixture
def globex(session, account, clock):
    return make_client(session, account=account, clock=clock, name="Globex")
