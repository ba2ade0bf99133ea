from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from duespark.clients import service
from duespark.clients.schemas import ClientCreate, ClientOut, ClientUpdate
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal
from duespark.errors import InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import Client
from duespark.pagination import Page, PageParams, page_params, paginate
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/clients", tags=["clients"], responses=error_responses(Unauthorized))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientOut, responses=error_responses(InvalidInput))
def create_client(data: ClientCreate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Client:
    return service.create_client(session, account_id=principal.account_id, data=data, clock=clock)


@router.get("", response_model=Page[ClientOut], responses=error_responses(InvalidInput))
def list_clients(
    session: SessionDep,
    principal: CurrentPrincipal,
    paging: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200, description="Search name, email or company")] = None,
    sort: Annotated[str, Query(description="name, company or created_at; prefix - to reverse")] = "name",
) -> Page[ClientOut]:
    stmt = service.client_query(principal.account_id, q=q, sort=sort)
    items, total = paginate(session, stmt, paging)
    return Page[ClientOut](
        items=[ClientOut.model_validate(c) for c in items], total=total, page=paging.page, page_size=paging.page_size
    )


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
