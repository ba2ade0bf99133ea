from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, UploadFile, status

from duespark.auth.service import Principal
from duespark.clock import today_in
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unauthorized, error_responses
from duespark.insights import recovered as recovered_payments
from duespark.invoices import adjustments, importer, service
from duespark.invoices.schemas import (
    AdjustmentList,
    AdjustmentOut,
    EffectiveStatus,
    ImportReport,
    InvoiceCreate,
    InvoiceOut,
    InvoicePage,
    InvoiceUpdate,
    PaymentIn,
    PaymentList,
)
from duespark.models import Invoice
from duespark.onboarding.import_options import DEFAULT_OLDER_THAN_DAYS, MAX_OLDER_THAN_DAYS, ImportOptions
from duespark.pagination import PageParams, page_params
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/invoices", tags=["invoices"], responses=error_responses(Unauthorized))


def _out(session: SessionDep, invoice: Invoice, principal: Principal, clock: ClockDep) -> InvoiceOut:
    client_name = service.client_name_of(session, invoice)
    return service.to_out(invoice, client_name=client_name, today=today_in(clock, principal.timezone))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InvoiceOut,
    responses=error_responses(InvalidInput, Conflict),
)
def create_invoice(
    data: InvoiceCreate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> InvoiceOut:
    invoice = service.create_invoice(session, account_id=principal.account_id, data=data, clock=clock)
    return _out(session, invoice, principal, clock)


@router.get("", response_model=InvoicePage, responses=error_responses(InvalidInput))
def list_invoices(
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
    status_: Annotated[list[EffectiveStatus] | None, Query(alias="status")] = None,
    client_id: ObjectId | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    recovered: Annotated[
        Literal["this_month"] | None,
        Query(description="this_month: only invoices paid within 7 days after a reminder this month"),
    ] = None,
    sort: Annotated[
        str, Query(description="due_date, issue_date, amount, number, created_at; - to reverse")
    ] = "due_date",
) -> InvoicePage:
    today = today_in(clock, principal.timezone)
    window = recovered_payments.this_month(clock, principal.timezone) if recovered else None
    rows, total = service.list_invoices(
        session,
        principal.account_id,
        today=today,
        statuses=status_,
        client_id=client_id,
        due_from=due_from,
        due_to=due_to,
        q=q,
        recovered_in=window,
        sort=sort,
        paging=paging,
    )
    return InvoicePage(
        items=[service.to_out(invoice, client_name=name, today=today) for invoice, name in rows],
        total=total,
        page=paging.page,
        page_size=paging.page_size,
        recovered=service.recovered_totals(session, principal.account_id, window) if window else None,
    )


@router.post(
    "/import",
    response_model=ImportReport,
    responses=error_responses(InvalidInput, importer.ImportRejected, PayloadTooLarge),
)
def import_invoices(
    file: UploadFile,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    settings: SettingsDep,
    dry_run: Annotated[
        bool,
        Query(
            description="The default: check the file, report every bad row, what the options change and the "
            "emails that go out first, and keep nothing. `false` imports."
        ),
    ] = True,
    start_from_today: Annotated[
        bool,
        Query(description="No email goes today: steps whose day has passed are skipped; the first is the next one"),
    ] = True,
    dont_chase_older: Annotated[
        bool, Query(description="Invoices more than `older_than_days` overdue are paused (not chased) until resumed")
    ] = True,
    older_than_days: Annotated[int, Query(ge=1, le=MAX_OLDER_THAN_DAYS)] = DEFAULT_OLDER_THAN_DAYS,
) -> ImportReport:
    data = file.file.read(importer.MAX_IMPORT_BYTES + 1)
    options = ImportOptions(
        start_from_today=start_from_today, dont_chase_older=dont_chase_older, older_than_days=older_than_days
    )
    return importer.import_invoices(
        session,
        account_id=principal.account_id,
        data=data,
        dry_run=dry_run,
        clock=clock,
        options=options,
        settings=settings,
    )


@router.get("/{invoice_id}", response_model=InvoiceOut, responses=error_responses(NotFound))
def get_invoice(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> InvoiceOut:
    invoice, client_name = service.get_invoice_with_client_name(
        session, account_id=principal.account_id, invoice_id=invoice_id
    )
    return service.to_out(invoice, client_name=client_name, today=today_in(clock, principal.timezone))


@router.patch("/{invoice_id}", response_model=InvoiceOut, responses=error_responses(NotFound, InvalidInput, Conflict))
def update_invoice(
    invoice_id: ObjectId, data: InvoiceUpdate, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> InvoiceOut:
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    service.update_invoice(session, invoice=invoice, data=data, clock=clock)
    return _out(session, invoice, principal, clock)


@router.post(
    "/{invoice_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=InvoiceOut,
    responses=error_responses(NotFound, InvalidInput, Conflict),
)
def record_payment(
    invoice_id: ObjectId, data: PaymentIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> InvoiceOut:
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    service.record_manual_payment(
        session,
        invoice=invoice,
        amount=data.amount,
        method=data.method,
        paid_at=data.paid_at,
        reference=data.reference,
        note=data.note,
        clock=clock,
    )
    return _out(session, invoice, principal, clock)


@router.get("/{invoice_id}/payments", response_model=PaymentList, responses=error_responses(NotFound))
def list_payments(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> PaymentList:
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    return PaymentList(items=[service.payment_out(p) for p in service.list_payments(session, invoice=invoice)])


@router.get("/{invoice_id}/adjustments", response_model=AdjustmentList, responses=error_responses(NotFound))
def list_adjustments(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> AdjustmentList:
    """Late fees and interest reminders added to the invoice, oldest first; their sum is `fees`."""
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    items = adjustments.list_adjustments(session, invoice=invoice)
    return AdjustmentList(items=[service.adjustment_out(a) for a in items])


@router.post(
    "/{invoice_id}/adjustments/{adjustment_id}/waive",
    response_model=AdjustmentOut,
    responses=error_responses(NotFound, Conflict),
)
def waive_adjustment(
    invoice_id: ObjectId, adjustment_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> AdjustmentOut:
    """Waive a late fee or interest charge: it leaves the invoice's `fees`, `total` and balance, and is never
    charged again. Waiving it twice is harmless; a paid invoice's fee is refunded as a payment instead (409)."""
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    adjustment = service.waive_adjustment(session, invoice=invoice, adjustment_id=adjustment_id, clock=clock)
    return service.adjustment_out(adjustment)


@router.post("/{invoice_id}/void", response_model=InvoiceOut, responses=error_responses(NotFound, Conflict))
def void_invoice(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> InvoiceOut:
    invoice = service.get_invoice(session, account_id=principal.account_id, invoice_id=invoice_id)
    service.void_invoice(session, invoice=invoice, clock=clock)
    return _out(session, invoice, principal, clock)
