from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from duespark.answers import service
from duespark.answers.schemas import (
    AnswerList,
    AnswerOut,
    AnswerSettings,
    AnswerSettingsIn,
    AnswerStatus,
    AttentionOut,
    ClientPromiseRecord,
    ExtendPromiseIn,
    ResolveIn,
)
from duespark.clock import today_in
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.inbound.service import unanswered_count
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["answers"], responses=error_responses(Unauthorized))
DECISION_ERRORS = error_responses(NotFound, Conflict)


@router.get("/answers", response_model=AnswerList)
def list_answers(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: Annotated[AnswerStatus | None, Query()] = None,
) -> AnswerList:
    """Clients' answers (promises, disputes, "already paid") over the whole account, newest first."""
    return AnswerList(items=service.list_answers(session, account_id=principal.account_id, status=status))


@router.get("/invoices/{invoice_id}/answers", response_model=AnswerList, responses=error_responses(NotFound))
def invoice_answers(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> AnswerList:
    return AnswerList(items=service.list_answers(session, account_id=principal.account_id, invoice_id=invoice_id))


@router.post("/answers/{answer_id}/resolve", response_model=AnswerOut, responses=DECISION_ERRORS)
def resolve_dispute(
    answer_id: ObjectId, data: ResolveIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AnswerOut:
    """Settle a dispute or question: chasing resumes with only the latest step it held back."""
    return service.resolve_dispute(
        session,
        account_id=principal.account_id,
        answer_id=answer_id,
        user_id=principal.user_id,
        note=data.note,
        clock=clock,
    )


@router.post("/answers/{answer_id}/confirm", response_model=AnswerOut, responses=DECISION_ERRORS)
def confirm_paid_claim(
    answer_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AnswerOut:
    """The client's payment arrived: what is still owed is recorded as paid on the day they gave."""
    return service.confirm_paid_claim(
        session, account_id=principal.account_id, answer_id=answer_id, user_id=principal.user_id, clock=clock
    )


@router.post("/answers/{answer_id}/reject", response_model=AnswerOut, responses=DECISION_ERRORS)
def reject_paid_claim(
    answer_id: ObjectId, data: ResolveIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AnswerOut:
    """No such payment arrived: chasing resumes."""
    return service.reject_paid_claim(
        session,
        account_id=principal.account_id,
        answer_id=answer_id,
        user_id=principal.user_id,
        note=data.note,
        clock=clock,
    )


@router.post(
    "/answers/{answer_id}/extend", response_model=AnswerOut, responses=error_responses(NotFound, Conflict, InvalidInput)
)
def extend_promise(
    answer_id: ObjectId, data: ExtendPromiseIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AnswerOut:
    """Agree to a later date for a promise: reminders wait for it."""
    return service.extend_promise(
        session, account_id=principal.account_id, answer_id=answer_id, promised_date=data.promised_date, clock=clock
    )


@router.post("/answers/{answer_id}/cancel", response_model=AnswerOut, responses=DECISION_ERRORS)
def cancel_promise(answer_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> AnswerOut:
    """Stop waiting for a promised date: chasing resumes now."""
    return service.cancel_promise(
        session, account_id=principal.account_id, answer_id=answer_id, user_id=principal.user_id, clock=clock
    )


@router.get("/attention", response_model=AttentionOut)
def needs_attention(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> AttentionOut:
    """What waits for the user: open disputes, payments to confirm, promises due this week, promises missed,
    and the clients' email replies nobody answered yet (counted here, listed by the replies API)."""
    today = today_in(clock, principal.timezone)
    attention = service.attention(session, account_id=principal.account_id, today=today)
    replies = unanswered_count(session, account_id=principal.account_id)
    return attention.model_copy(update={"unanswered_replies": replies, "count": attention.count + replies})


@router.get("/clients/{client_id}/promises", response_model=ClientPromiseRecord, responses=error_responses(NotFound))
def client_promises(client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> ClientPromiseRecord:
    """How the client keeps their promises to pay: kept, missed, open."""
    return service.client_promise_record(session, account_id=principal.account_id, client_id=client_id)


@router.get("/answer-settings", response_model=AnswerSettings)
def get_answer_settings(session: SessionDep, principal: CurrentPrincipal) -> AnswerSettings:
    return service.get_settings(session, account_id=principal.account_id)


@router.put("/answer-settings", response_model=AnswerSettings, responses=error_responses(InvalidInput))
def put_answer_settings(
    data: AnswerSettingsIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AnswerSettings:
    """How far ahead clients may promise, the grace days after a promised date, how long "already paid" holds."""
    return service.put_settings(session, account_id=principal.account_id, data=data, clock=clock)
