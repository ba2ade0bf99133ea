"""Payment links for the web app, the Stripe connection and import, and Stripe's webhook endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status

from duespark import jsonbody
from duespark.clients.service import get_client
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    error_responses,
)
from duespark.invoices.service import get_invoice
from duespark.models import Account
from duespark.notices import service as notices
from duespark.payments import importer, links, readiness, service
from duespark.payments.readiness import CHECKOUT_FAILED
from duespark.payments.schemas import (
    ClickSummary,
    ClientPortalLinkOut,
    PaymentLinkOut,
    PaymentSetupOut,
    ReminderClicks,
    StripeConnectIn,
    StripeConnectionOut,
    StripeImportOut,
    WebhookAck,
)
from duespark.payments.stripe import (
    InvalidSignature,
    PaymentProviderError,
    check_secret_key,
    list_open_invoices,
    verify_secret_key,
    verify_signature,
)
from duespark.payments.webhooks import receive_stripe_event
from duespark.tenancy import ObjectId

MAX_WEBHOOK_BYTES = 1024 * 1024

router = APIRouter(prefix="/api", tags=["payments"])


@router.get(
    "/invoices/{invoice_id}/payment-link",
    response_model=PaymentLinkOut,
    responses=error_responses(Unauthorized, NotFound),
)
def get_payment_link(
    invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> PaymentLinkOut:
    invoice = get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    counts = service.click_counts(session, invoice=invoice)
    card = service.get_connection(session, account_id=invoice.account_id) is not None or bool(
        settings.stripe_secret_key
    )
    return PaymentLinkOut(
        payment_url=links.invoice_pay_url(settings, invoice.id),
        client_portal_url=links.client_portal_url(settings, invoice.client_id),
        payable=service.is_payable(invoice),
        card_payments=card,
        clicks=ClickSummary(
            total=sum(c.count for c in counts),
            last_clicked_at=max((c.last_clicked_at for c in counts), default=None),
            by_reminder=[
                ReminderClicks(reminder_id=c.reminder_id, count=c.count, last_clicked_at=c.last_clicked_at)
                for c in counts
            ],
        ),
    )


@router.get(
    "/clients/{client_id}/portal-link",
    response_model=ClientPortalLinkOut,
    responses=error_responses(Unauthorized, NotFound),
)
def get_client_portal_link(
    client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ClientPortalLinkOut:
    client = get_client(session, account_id=principal.account_id, client_id=client_id)
    return ClientPortalLinkOut(client_portal_url=links.client_portal_url(settings, client.id))


def _connection_out(session: SessionDep, settings: SettingsDep, account_id: int) -> StripeConnectionOut:
    connection = service.get_connection(session, account_id=account_id)
    return StripeConnectionOut(
        connected=connection is not None,
        mode=connection.mode if connection else None,  # type: ignore[arg-type]
        last4=connection.key_last4 if connection else None,
        webhook_configured=bool(connection and connection.webhook_secret_encrypted),
        webhook_url=links.stripe_webhook_url(settings, account_id),
        server_stripe=bool(settings.stripe_secret_key),
        last_import_at=connection.last_import_at if connection else None,
    )


@router.get("/account/payment-setup", response_model=PaymentSetupOut, responses=error_responses(Unauthorized))
def get_payment_setup(session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> PaymentSetupOut:
    """Onboarding's "how do your clients pay?" and the warnings the app shows until they are fixed."""
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    ways = readiness.ways_to_pay(session, account=account, settings=settings)
    return PaymentSetupOut(
        payment_instructions=ways.instructions,
        card_payments=ways.card,
        bank_transfer=ways.bank_transfer,
        contact_email=ways.contact_email,
        has_way_to_pay=ways.any,
        go_live_blockers=readiness.go_live_blockers(session, account=account, settings=settings),
        go_live_warnings=readiness.go_live_warnings(settings),
        warnings=readiness.account_warnings(session, account=account, settings=settings),
    )


@router.get("/integrations/stripe", response_model=StripeConnectionOut, responses=error_responses(Unauthorized))
def get_stripe_connection(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> StripeConnectionOut:
    return _connection_out(session, settings, principal.account_id)


@router.put(
    "/integrations/stripe",
    response_model=StripeConnectionOut,
    responses=error_responses(Unauthorized, InvalidInput, PaymentProviderError),
)
def put_stripe_connection(
    data: StripeConnectIn, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> StripeConnectionOut:
    """Save the account's key once Stripe has accepted it: a made-up key is a 422 on `secret_key`."""
    key = check_secret_key(data.secret_key)
    service.check_webhook_secret(data.webhook_secret)
    # End the sign-in's transaction before calling Stripe, so no lock is held while waiting on the network.
    session.commit()
    verify_secret_key(settings, key)
    service.connect_stripe(
        session,
        settings=settings,
        account_id=principal.account_id,
        secret_key=key,
        webhook_secret=data.webhook_secret,
        clock=clock,
    )
    # Stripe accepted the new key: an earlier "card payments failed" notice is answered.
    notices.clear(session, account_id=principal.account_id, kind=CHECKOUT_FAILED, clock=clock)
    return _connection_out(session, settings, principal.account_id)


@router.delete("/integrations/stripe", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Unauthorized))
def delete_stripe_connection(session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.disconnect_stripe(session, account_id=principal.account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/integrations/stripe/import",
    response_model=StripeImportOut,
    responses=error_responses(Unauthorized, Conflict, PaymentProviderError),
)
def import_from_stripe(
    session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> StripeImportOut:
    """Import open Stripe invoices and their customers; running it again changes nothing."""
    api_key = service.stripe_key_for(session, settings=settings, account_id=principal.account_id)
    if api_key is None:
        raise Conflict("Connect Stripe first: no Stripe key for this account or server")
    # End the sign-in's transaction before paging through Stripe, so no lock is held while
    # waiting on the network (on SQLite that lock would stop every other writer).
    session.commit()
    fetched = list_open_invoices(settings, api_key)
    result = importer.import_stripe_invoices(
        session, account_id=principal.account_id, stripe_invoices=fetched, clock=clock
    )
    return StripeImportOut(**vars(result))


async def _raw_body(request: Request) -> bytes:
    """The body exactly as sent (the signature covers these bytes), refused beyond a size limit."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge("A webhook body is at most 1 MiB")
        chunks.append(chunk)
    return b"".join(chunks)


RawBody = Annotated[bytes, Depends(_raw_body)]
SignatureHeader = Annotated[str | None, Header(alias="Stripe-Signature")]


def _receive(
    session: SessionDep,
    *,
    body: bytes,
    signature: str | None,
    secrets: list[str],
    account_id: int | None,
    settings,
    clock,
) -> WebhookAck:
    verify_signature(
        body, signature, secrets, now=clock.now(), tolerance_seconds=settings.stripe_webhook_tolerance_seconds
    )
    payload = jsonbody.json_object(body, what="a Stripe event")
    return WebhookAck(result=receive_stripe_event(session, payload=payload, account_id=account_id, clock=clock))


@router.post(
    "/webhooks/stripe",
    response_model=WebhookAck,
    tags=["webhooks"],
    responses=error_responses(InvalidSignature, InvalidInput, PayloadTooLarge),
)
def stripe_webhook(
    body: RawBody, session: SessionDep, settings: SettingsDep, clock: ClockDep, signature: SignatureHeader = None
) -> WebhookAck:
    """Events from the server's Stripe account (DUESPARK_STRIPE_WEBHOOK_SECRET)."""
    return _receive(
        session,
        body=body,
        signature=signature,
        secrets=settings.stripe_webhook_secrets,
        account_id=None,
        settings=settings,
        clock=clock,
    )


@router.post(
    "/webhooks/stripe/{account_token}",
    response_model=WebhookAck,
    tags=["webhooks"],
    responses=error_responses(InvalidSignature, InvalidInput, PayloadTooLarge, NotFound),
)
def stripe_account_webhook(
    account_token: str,
    body: RawBody,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    signature: SignatureHeader = None,
) -> WebhookAck:
    """Events from an account's own Stripe; only that account's invoices are touched."""
    account_id = links.account_id_from_webhook_token(settings, account_token)
    return _receive(
        session,
        body=body,
        signature=signature,
        secrets=service.account_webhook_secrets(session, settings=settings, account_id=account_id),
        account_id=account_id,
        settings=settings,
        clock=clock,
    )
