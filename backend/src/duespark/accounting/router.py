"""Settings → Integrations: connect an accounting provider, see its syncs, sync now, disconnect; and the
providers' webhooks."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Header, Path, Request, Response, status

from duespark.accounting import oauth, service, webhooks
from duespark.accounting.api import ProviderError
from duespark.accounting.base import Provider
from duespark.accounting.registry import PROVIDERS, get_provider
from duespark.accounting.schemas import (
    AccountingWebhookAck,
    CallbackIn,
    ConnectOut,
    IntegrationList,
    IntegrationOut,
    IntegrationSettingsIn,
)
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unauthorized, error_responses

MAX_WEBHOOK_BYTES = 1024 * 1024

router = APIRouter(prefix="/api/integrations", tags=["integrations"])

ProviderName = Annotated[str, Path(pattern=r"^[a-z]{2,32}$", description="xero or quickbooks")]


def _provider(provider: ProviderName, settings: SettingsDep) -> Provider:
    return get_provider(settings, provider)


ProviderDep = Annotated[Provider, Depends(_provider)]


def _out(session, principal, provider: Provider, clock) -> IntegrationOut:
    connection = service.find_connection(session, account_id=principal.account_id, provider=provider.name)
    return service.integration_out(provider, connection, now=clock.now())


@router.get("", response_model=IntegrationList, responses=error_responses(Unauthorized))
def list_integrations(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> IntegrationList:
    connections = service.list_connections(session, account_id=principal.account_id)
    return IntegrationList(
        items=[
            service.integration_out(get_provider(settings, name), connections.get(name), now=clock.now())
            for name in PROVIDERS
        ]
    )


@router.post(
    "/{provider}/connect", response_model=ConnectOut, responses=error_responses(Unauthorized, NotFound, Conflict)
)
def connect(
    provider: ProviderDep, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> ConnectOut:
    """The provider's authorize URL with a signed, single-use state bound to this account (and a PKCE challenge)."""
    state, verifier = service.begin_connect(
        session, settings=settings, provider=provider, account_id=principal.account_id, clock=clock
    )
    config = provider.oauth()
    assert config is not None
    url = oauth.authorize_url(
        config, redirect_uri=service.redirect_uri(settings, provider), state=state, verifier=verifier
    )
    return ConnectOut(authorize_url=url)


@router.post(
    "/{provider}/callback",
    response_model=IntegrationOut,
    responses=error_responses(Unauthorized, NotFound, InvalidInput, Conflict),
)
def callback(
    provider: ProviderDep,
    body: CallbackIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
) -> IntegrationOut:
    """The code and state the provider sent the browser back with; the state is used up either way."""
    config = provider.oauth()
    if config is None:
        raise Conflict(f"{provider.label} is not set up on this server")
    verifier = service.claim_state(
        session, settings=settings, provider=provider, account_id=principal.account_id, state=body.state, clock=clock
    )
    # The state is spent before the provider is called, outside any transaction.
    session.commit()
    try:
        tokens = oauth.exchange_code(
            config,
            redirect_uri=service.redirect_uri(settings, provider),
            code=body.code,
            verifier=verifier,
            now=clock.now(),
            timeout=settings.accounting_timeout_seconds,
        )
        with httpx.Client(timeout=settings.accounting_timeout_seconds) as http:
            tenant_id, tenant_name = provider.tenant(
                http, access_token=tokens.access_token, callback_params={"realmId": body.realm_id or ""}
            )
    except ProviderError as exc:
        raise Conflict(f"{provider.label} did not complete the connection: {exc}") from None
    service.save_tokens(
        session,
        settings=settings,
        provider=provider,
        account_id=principal.account_id,
        tokens=tokens,
        tenant_id=tenant_id,
        tenant_name=tenant_name,
        clock=clock,
    )
    return _out(session, principal, provider, clock)


@router.post(
    "/{provider}/sync",
    response_model=IntegrationOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(Unauthorized, NotFound, Conflict),
)
def sync_now(
    provider: ProviderDep, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> IntegrationOut:
    """Queued for the worker's next tick (within a minute); the list shows it running and then its result."""
    service.request_sync(session, account_id=principal.account_id, provider=provider.name, clock=clock)
    return _out(session, principal, provider, clock)


@router.patch(
    "/{provider}", response_model=IntegrationOut, responses=error_responses(Unauthorized, NotFound, InvalidInput)
)
def update_settings(
    provider: ProviderDep,
    data: IntegrationSettingsIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
) -> IntegrationOut:
    """Write Stripe payments back to the books (from now on, once each, at the start of each sync)."""
    service.update_settings(
        session,
        account_id=principal.account_id,
        provider=provider,
        write_back_payments=data.write_back_payments,
        payment_account=data.payment_account,
        clock=clock,
    )
    return _out(session, principal, provider, clock)


@router.delete("/{provider}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Unauthorized, NotFound))
def disconnect(provider: ProviderDep, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Response:
    service.disconnect(session, account_id=principal.account_id, provider=provider.name, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _raw_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge("A webhook body is at most 1 MiB")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/{provider}/webhook",
    response_model=AccountingWebhookAck,
    tags=["webhooks"],
    responses=error_responses(webhooks.WebhookSignatureInvalid, InvalidInput, PayloadTooLarge, NotFound),
)
def provider_webhook(
    provider: ProviderDep,
    body: Annotated[bytes, Depends(_raw_body)],
    session: SessionDep,
    clock: ClockDep,
    xero_signature: Annotated[str | None, Header(alias="x-xero-signature")] = None,
    intuit_signature: Annotated[str | None, Header(alias="intuit-signature")] = None,
) -> AccountingWebhookAck:
    """Xero (x-xero-signature, intent-to-receive included) and QuickBooks (intuit-signature) change notices."""
    signature = {"x-xero-signature": xero_signature, "intuit-signature": intuit_signature}.get(
        provider.webhook_signature_header()
    )
    return AccountingWebhookAck(
        result=webhooks.receive(session, provider=provider, body=body, signature=signature, clock=clock)
    )
