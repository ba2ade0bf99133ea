from __future__ import annotations

import httpx
import pytest
import respx

from duespark.accounting import tasks
from duespark.settings import Settings
from duespark.wiring import connect_domains
from tests.accounting.payloads import QBO_CDC_URL, qbo_cdc_body
from tests.conftest import make_test_settings
from tests.helpers import make_account

XERO_WEBHOOK_KEY = "xero-webhook-key-0123456789abcdefghijklmnopqrstuvwxyz012345"
QBO_VERIFIER = "intuit-verifier-token-0123456789"


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_test_settings(
        tmp_path,
        database_url,
        xero_client_id="XERO-APP-ID",
        xero_client_secret="xero-app-secret-value",
        xero_webhook_key=XERO_WEBHOOK_KEY,
        quickbooks_client_id="QBO-APP-ID",
        quickbooks_client_secret="qbo-app-secret-value",
        quickbooks_webhook_verifier_token=QBO_VERIFIER,
        accounting_max_retry_wait_seconds=30,
        accounting_max_retries=2,
    )


@pytest.fixture
def wired(settings):
    connect_domains(settings)
    return settings


@pytest.fixture
def books():
    with respx.mock(assert_all_called=False) as router:
        # QuickBooks' change data capture at the end of each incremental run: nothing deleted unless a test says.
        router.get(QBO_CDC_URL, name="qbo_cdc").mock(return_value=httpx.Response(200, json=qbo_cdc_body([], [])))
        yield router


@pytest.fixture
def account(session, clock):
    return make_account(session, clock=clock)


class Runner:
    def __init__(self, session_factory, settings, clock):
        self.session_factory, self.settings, self.clock = session_factory, settings, clock
        self.slept: list[float] = []

    def __call__(self, **kwargs):
        with httpx.Client() as http:
            return tasks.sync_due(
                self.session_factory,
                settings=self.settings,
                clock=self.clock,
                http=http,
                sleep=self.slept.append,
                **kwargs,
            )


@pytest.fixture
def run_sync(session_factory, wired, clock) -> Runner:
    return Runner(session_factory, wired, clock)
