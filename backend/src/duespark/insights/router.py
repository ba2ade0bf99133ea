from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from duespark.coalesce import Coalescer
from duespark.db import SessionDep, transaction
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.insights import service
from duespark.insights.behaviour import RatingThresholds
from duespark.insights.schemas import ClientInsightsOut, PredictionOut, SummaryOut, TimeseriesOut
from duespark.insights.sql import Granularity
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["insights"], responses=error_responses(Unauthorized))


@router.get("/clients/{client_id}/insights", response_model=ClientInsightsOut, responses=error_responses(NotFound))
def client_insights(
    client_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> ClientInsightsOut:
    return service.client_insights(
        session,
        account_id=principal.account_id,
        client_id=client_id,
        thresholds=RatingThresholds.from_settings(settings),
        clock=clock,
    )


@router.get(
    "/invoices/{invoice_id}/prediction", response_model=PredictionOut, responses=error_responses(NotFound, Conflict)
)
def invoice_prediction(
    invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> PredictionOut:
    return service.invoice_prediction(
        session,
        account_id=principal.account_id,
        invoice_id=invoice_id,
        thresholds=RatingThresholds.from_settings(settings),
        clock=clock,
    )


# One per process: a team opening the dashboard together shares the summaries (see coalesce.py).
_summaries: Coalescer[SummaryOut] = Coalescer()


@router.get("/insights/summary", response_model=SummaryOut)
async def summary(
    request: Request, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> SummaryOut:
    # The request's own unit of work only signed the caller in: end it now rather than hold a pooled
    # connection while waiting for a shared summary, which reads in a unit of work of its own.
    session.close()
    thresholds = RatingThresholds.from_settings(settings)
    session_factory = request.app.state.session_factory

    def work() -> SummaryOut:
        with transaction(session_factory, write=False) as reader:
            return service.summary(reader, account_id=principal.account_id, thresholds=thresholds, clock=clock)

    return await _summaries.run((principal.account_id, thresholds), work)


@router.get("/insights/timeseries", response_model=TimeseriesOut, responses=error_responses(InvalidInput))
def timeseries(
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    granularity: Granularity = "day",
    date_from: Annotated[date | None, Query(description="First day; defaults to a range ending at date_to")] = None,
    date_to: Annotated[date | None, Query(description="Last day; defaults to today in the account's timezone")] = None,
) -> TimeseriesOut:
    return service.timeseries(
        session,
        account_id=principal.account_id,
        granularity=granularity,
        date_from=date_from,
        date_to=date_to,
        clock=clock,
    )
