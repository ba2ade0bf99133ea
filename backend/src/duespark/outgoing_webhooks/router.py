"""Outgoing webhooks: endpoints, their secrets, the delivery log, resend and test."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import WebhookDelivery, WebhookEndpoint
from duespark.outgoing_webhooks import service
from duespark.outgoing_webhooks.events import EVENT_DATA, EVENT_TYPES
from duespark.outgoing_webhooks.schemas import (
    DeliveryOut,
    EndpointCreate,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    EventTypeOut,
)
from duespark.pagination import Page, PageParams, page_params, paginate
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"], responses=error_responses(Unauthorized))


def _endpoint(endpoint_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> WebhookEndpoint:
    return service.get_endpoint(session, account_id=principal.account_id, endpoint_id=endpoint_id)


EndpointDep = Annotated[WebhookEndpoint, Depends(_endpoint)]


@router.get("/event-types", response_model=list[EventTypeOut])
def list_event_types(principal: CurrentPrincipal) -> list[EventTypeOut]:
    """Every event an endpoint can receive. Each is POSTed as `{"type", "timestamp", "data"}` with the
    Standard Webhooks headers; `data_fields` lists its data, described field by field in docs/webhooks.md."""
    return [EventTypeOut(type=t, description=d, data_fields=list(EVENT_DATA[t])) for t, d in EVENT_TYPES.items()]


@router.get("/endpoints", response_model=list[EndpointOut])
def list_endpoints(session: SessionDep, principal: CurrentPrincipal) -> list[WebhookEndpoint]:
    return service.list_endpoints(session, account_id=principal.account_id)


@router.post(
    "/endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointWithSecret,
    responses=error_responses(InvalidInput, Conflict),
)
def create_endpoint(
    data: EndpointCreate, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> EndpointWithSecret:
    """The URL is checked now (public address, https in production) and again before every delivery."""
    endpoint, secret = service.create_endpoint(
        session, account_id=principal.account_id, data=data, settings=settings, clock=clock
    )
    return EndpointWithSecret.model_validate({**EndpointOut.model_validate(endpoint).model_dump(), "secret": secret})


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut, responses=error_responses(NotFound))
def get_endpoint(endpoint: EndpointDep) -> WebhookEndpoint:
    return endpoint


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointOut, responses=error_responses(NotFound, InvalidInput))
def update_endpoint(
    endpoint: EndpointDep, data: EndpointUpdate, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> WebhookEndpoint:
    return service.update_endpoint(session, endpoint=endpoint, data=data, settings=settings, clock=clock)


@router.delete("/endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_endpoint(endpoint: EndpointDep, session: SessionDep) -> Response:
    service.delete_endpoint(session, endpoint=endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret, responses=error_responses(NotFound)
)
def rotate_secret(
    endpoint: EndpointDep, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> EndpointWithSecret:
    """A new secret, shown once; the old one also signs for 24 hours, so the receiver can switch."""
    secret = service.rotate_secret(session, endpoint=endpoint, settings=settings, clock=clock)
    return EndpointWithSecret.model_validate({**EndpointOut.model_validate(endpoint).model_dump(), "secret": secret})


@router.get(
    "/endpoints/{endpoint_id}/deliveries", response_model=Page[DeliveryOut], responses=error_responses(NotFound)
)
def list_deliveries(
    endpoint: EndpointDep,
    session: SessionDep,
    paging: Annotated[PageParams, Depends(page_params)],
    delivery_status: Annotated[
        Literal["pending", "sending", "delivered", "failed"] | None, Query(alias="status")
    ] = None,
) -> Page[DeliveryOut]:
    """Newest first."""
    items, total = paginate(session, service.deliveries_query(endpoint, status=delivery_status), paging)
    return Page[DeliveryOut](
        items=[DeliveryOut.model_validate(d) for d in items], total=total, page=paging.page, page_size=paging.page_size
    )


@router.post(
    "/endpoints/{endpoint_id}/deliveries/{delivery_id}/resend",
    response_model=DeliveryOut,
    responses=error_responses(NotFound, Conflict),
)
def resend_delivery(
    endpoint: EndpointDep, delivery_id: ObjectId, session: SessionDep, clock: ClockDep
) -> WebhookDelivery:
    """Queue the delivery again (same webhook-id and body); the worker sends it within seconds."""
    delivery = service.get_delivery(session, endpoint=endpoint, delivery_id=delivery_id)
    return service.resend(session, endpoint=endpoint, delivery=delivery, clock=clock)


@router.post(
    "/endpoints/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=error_responses(NotFound, Conflict),
)
def send_test_event(endpoint: EndpointDep, session: SessionDep, clock: ClockDep) -> WebhookDelivery:
    """Queue a `webhook.test` event for this endpoint; its outcome shows in the delivery log."""
    return service.send_test_event(session, endpoint=endpoint, clock=clock)
