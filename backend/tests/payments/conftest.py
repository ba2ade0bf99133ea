from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from duespark.app import create_app
from duespark.invoices import events
from tests.conftest import make_test_settings
from tests.payments.stripe_fixtures import STRIPE_API, STRIPE_SECRET_KEY, WEBHOOK_SECRET


@pytest.fixture
def settings(tmp_path, database_url):
    """Stripe configured on the server, as in the issue's main path."""
    return make_test_settings(
        tmp_path, database_url, stripe_secret_key=STRIPE_SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET
    )


@pytest.fixture
def no_stripe_client(tmp_path, database_url, clock, session_factory) -> Iterator[TestClient]:
    application = create_app(make_test_settings(tmp_path, database_url), clock)
    application.state.engine.dispose()
    application.state.session_factory = session_factory
    with TestClient(application) as test_client:
        yield test_client


@pytest.fixture
def stripe_api() -> Iterator[respx.MockRouter]:
    """Stripe's HTTP API, mocked under the real SDK; any unexpected call fails the test."""
    with respx.mock(base_url=STRIPE_API, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, tuple[int, ...]]]:
    """Invoice events as other domains' listeners see them."""
    seen: list[tuple[str, tuple[int, ...]]] = []

    def listener(_session, change, invoice_ids, _clock) -> None:
        seen.append((str(change), tuple(invoice_ids)))

    monkeypatch.setattr(events, "_listeners", [listener])
    return seen


def checkout_session_list() -> dict:
    """Stripe's answer to GET /v1/checkout/sessions?limit=1 for an account with no sessions yet."""
    return {"object": "list", "url": "/v1/checkout/sessions", "has_more": False, "data": []}


@pytest.fixture
def key_check(stripe_api: respx.MockRouter) -> respx.Route:
    """Stripe accepts the key DueSpark checks when it is saved."""
    return stripe_api.get("/v1/checkout/sessions").mock(return_value=httpx.Response(200, json=checkout_session_list()))
