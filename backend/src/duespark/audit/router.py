"""Read-only: the audit trail has no route that edits or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from duespark.audit.money import add_money
from duespark.audit.schemas import ActorKind, AuditEntryOut, AuditPage
from duespark.audit.service import AuditFilter, entries_query
from duespark.db import SessionDep
from duespark.deps import CurrentPrincipal
from duespark.errors import InvalidInput, Unauthorized, error_responses
from duespark.pagination import PageParams, page_params, paginate
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=error_responses(Unauthorized))

Name = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z_.]+$")]


@router.get("", response_model=AuditPage, responses=error_responses(InvalidInput))
def list_audit_entries(
    session: SessionDep,
    principal: CurrentPrincipal,
    paging: Annotated[PageParams, Depends(page_params)],
    actor_kind: ActorKind | None = None,
    actor_id: Annotated[ObjectId | None, Query()] = None,
    action: Name | None = None,
    entity_type: Name | None = None,
    entity_id: Annotated[ObjectId | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="From this instant (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="Before this instant (exclusive)")] = None,
) -> AuditPage:
    """The account's audit trail, newest first."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(name, "Give a time with its offset, e.g. 2026-12-01T00:00:00Z")
    where = AuditFilter(actor_kind, actor_id, action, entity_type, entity_id, since, until)
    rows, total = paginate(session, entries_query(principal.account_id, where), paging)
    items = [AuditEntryOut.model_validate(row) for row in rows]
    add_money(session, account_id=principal.account_id, entries=items)
    return AuditPage(
        items=items,
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )
