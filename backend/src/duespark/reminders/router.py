from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from duespark.auth.schemas import AccountOut
from duespark.db import SessionDep, writes
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import Account
from duespark.onboarding.schemas import GoLiveIn
from duespark.onboarding.service import check_go_live_confirmed
from duespark.pagination import Page, PageParams, page_params
from duespark.payments import readiness
from duespark.payments.schemas import GoLiveOut
from duespark.reminders import service
from duespark.reminders.schemas import (
    ClientPolicyIn,
    ClientPolicyOut,
    PauseIn,
    PauseOut,
    ReminderListItem,
    ReminderOut,
    ReminderPolicyIn,
    ReminderPolicyOut,
    ReminderSort,
    ReminderStateName,
    ReminderTimeline,
)
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["reminders"], responses=error_responses(Unauthorized))


@router.get("/reminder-policy", response_model=ReminderPolicyOut)
@writes  # the account's default policy is created on first read
def get_reminder_policy(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> ReminderPolicyOut:
    """The account's default steps and send window."""
    return service.get_account_policy(session, account_id=principal.account_id, clock=clock)


@router.put("/reminder-policy", response_model=ReminderPolicyOut, responses=error_responses(InvalidInput))
def put_reminder_policy(
    data: ReminderPolicyIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ReminderPolicyOut:
    """Replace the default steps (and the send window when given); open invoices are re-planned."""
    return service.put_account_policy(session, account_id=principal.account_id, data=data, clock=clock)


@router.get("/clients/{client_id}/reminder-policy", response_model=ClientPolicyOut, responses=error_responses(NotFound))
@writes  # may create the account's default policy
def get_client_reminder_policy(
    client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ClientPolicyOut:
    return service.get_client_policy(session, account_id=principal.account_id, client_id=client_id, clock=clock)


@router.put(
    "/clients/{client_id}/reminder-policy",
    response_model=ClientPolicyOut,
    responses=error_responses(NotFound, InvalidInput),
)
def put_client_reminder_policy(
    client_id: ObjectId, data: ClientPolicyIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ClientPolicyOut:
    """Follow the account's policy, use the client's own steps, or send this client no reminders."""
    return service.put_client_policy(
        session, account_id=principal.account_id, client_id=client_id, data=data, clock=clock
    )


@router.post("/clients/{client_id}/pause", response_model=PauseOut, responses=error_responses(NotFound, InvalidInput))
def pause_client(
    client_id: ObjectId, data: PauseIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> PauseOut:
    """Hold this client's reminders until a date (they resume then) or until resumed."""
    return service.pause_client(
        session, account_id=principal.account_id, client_id=client_id, until=data.until, clock=clock
    )


@router.post("/clients/{client_id}/resume", response_model=PauseOut, responses=error_responses(NotFound))
def resume_client(client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> PauseOut:
    return service.resume_client(session, account_id=principal.account_id, client_id=client_id, clock=clock)


@router.post("/invoices/{invoice_id}/pause", response_model=PauseOut, responses=error_responses(NotFound, InvalidInput))
def pause_invoice(
    invoice_id: ObjectId, data: PauseIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> PauseOut:
    return service.pause_invoice(
        session, account_id=principal.account_id, invoice_id=invoice_id, until=data.until, clock=clock
    )


@router.post("/invoices/{invoice_id}/resume", response_model=PauseOut, responses=error_responses(NotFound))
def resume_invoice(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> PauseOut:
    return service.resume_invoice(session, account_id=principal.account_id, invoice_id=invoice_id, clock=clock)


@router.get("/invoices/{invoice_id}/reminders", response_model=ReminderTimeline, responses=error_responses(NotFound))
def invoice_reminders(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> ReminderTimeline:
    """Every reminder of the invoice, sent or not, each with its reason."""
    return service.invoice_timeline(session, account_id=principal.account_id, invoice_id=invoice_id)


@router.get("/reminders", response_model=Page[ReminderListItem])
def list_reminders(
    session: SessionDep,
    principal: CurrentPrincipal,
    paging: Annotated[PageParams, Depends(page_params)],
    state: Annotated[list[ReminderStateName] | None, Query(description="Any of these states")] = None,
    client_id: ObjectId | None = None,
    scheduled_from: Annotated[AwareDatetime | None, Query(description="Scheduled at or after this instant")] = None,
    scheduled_to: Annotated[AwareDatetime | None, Query(description="Scheduled before this instant")] = None,
    sort: ReminderSort = "scheduled_for",
) -> Page[ReminderListItem]:
    """The account's reminders across invoices: `state=pending` is what goes out next,
    `state=sent&sort=-sent_at` what went out last, `state=failed` what needs a look."""
    items, total = service.list_reminders(
        session,
        account_id=principal.account_id,
        paging=paging,
        states=state or (),
        client_id=client_id,
        scheduled_from=scheduled_from,
        scheduled_to=scheduled_to,
        sort=sort,
    )
    return Page(items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.post(
    "/reminders/{reminder_id}/send-now", response_model=ReminderOut, responses=error_responses(NotFound, Conflict)
)
def send_now(reminder_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> ReminderOut:
    """Queue it for the worker's next run (within a minute), ignoring the send window."""
    reminder = service.send_now(session, account_id=principal.account_id, reminder_id=reminder_id, clock=clock)
    return service.reminder_out(reminder)


@router.post(
    "/reminders/{reminder_id}/cancel", response_model=ReminderOut, responses=error_responses(NotFound, Conflict)
)
def cancel_reminder(
    reminder_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ReminderOut:
    reminder = service.cancel(session, account_id=principal.account_id, reminder_id=reminder_id, clock=clock)
    return service.reminder_out(reminder)


@router.post("/account/go-live", response_model=GoLiveOut, responses=error_responses(Conflict, InvalidInput))
def go_live(
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    settings: SettingsDep,
    data: GoLiveIn | None = None,
) -> GoLiveOut:
    """Send reminders to clients from now on, after `{"confirm": true}`: read GET /api/account/go-live/preview
    first (what goes out first). Nothing is sent in a burst: catch-up rules apply.

    Refused (409) while clients would have no way to pay (payments/readiness.py); without `confirm`, a 422 on
    `confirm` says how many emails would go; `warnings` says what still stops emails from reaching clients
    (an email provider that delivers nothing)."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    blockers = readiness.go_live_blockers(session, account=account, settings=settings)
    if blockers:
        raise Conflict(" ".join(blockers))
    check_go_live_confirmed(
        session, account_id=principal.account_id, confirm=bool(data and data.confirm), settings=settings, clock=clock
    )
    account = service.set_test_mode(session, account_id=principal.account_id, test_mode=False, clock=clock)
    return GoLiveOut(**AccountOut.model_validate(account).model_dump(), warnings=readiness.go_live_warnings(settings))


@router.post("/account/test-mode", response_model=AccountOut)
def back_to_test_mode(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Account:
    """Deliver reminders only to the account's own address again, marked as tests."""
    return service.set_test_mode(session, account_id=principal.account_id, test_mode=True, clock=clock)
