from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from duespark.clients import service, worklist
from duespark.clients.schemas import ClientCreate, ClientListItem, ClientOut, ClientUpdate
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import InvalidInput, NotFound, Unauthorized, error_responses
from duespark.insights.behaviour import RatingThresholds
from duespark.models import Client
from duespark.pagination import Page, PageParams, page_params
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/clients", tags=["clients"], responses=error_responses(Unauthorized))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientOut, responses=error_responses(InvalidInput))
def create_client(data: ClientCreate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Client:
    return service.create_client(session, account_id=principal.account_id, data=data, clock=clock)


@router.get("", response_model=Page[ClientListItem], responses=error_responses(InvalidInput))
def list_clients(
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200, description="Search name, email or company")] = None,
    sort: Annotated[
        str,
        Query(
            max_length=40,
            description=f"One of {', '.join(worklist.SORTS)}; prefix - to reverse (-outstanding: who owes most)",
        ),
    ] = "name",
) -> Page[ClientListItem]:
    items, total = worklist.list_clients(
        session,
        account_id=principal.account_id,
        q=q,
        sort=sort,
        paging=paging,
        thresholds=RatingThresholds.from_settings(settings),
        clock=clock,
    )
    return Page[ClientListItem](items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.get("/{client_id}", response_model=ClientOut, responses=error_responses(NotFound))
def get_client(client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> Client:
    return service.get_client(session, account_id=principal.account_id, client_id=client_id)


@router.patch("/{client_id}", response_model=ClientOut, responses=error_responses(NotFound, InvalidInput))
def update_client(
    client_id: ObjectId, data: ClientUpdate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> Client:
    client = service.get_client(session, account_id=principal.account_id, client_id=client_id)
    return service.update_client(session, client=client, data=data, clock=clock)


@router.delete("/{client_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_client(client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Response:
    client = service.get_client(session, account_id=principal.account_id, client_id=client_id)
    service.delete_client(session, client=client, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
