"""The account's bank accounts: settings for paying by bank transfer, one account per currency."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from duespark.banktransfer import service, swiss
from duespark.banktransfer.schemas import BankAccountIn, BankAccountOut
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal
from duespark.errors import Conflict, InvalidInput, NotFound, Unauthorized, error_responses
from duespark.models import BankAccount
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api/bank-accounts", tags=["bank transfer"])


def _out(bank: BankAccount) -> BankAccountOut:
    example, _ = service.reference_for(bank, service.EXAMPLE_NUMBER)
    return BankAccountOut(
        id=bank.id,
        currency=bank.currency,
        payee_name=bank.payee_name,
        iban=bank.iban,
        iban_formatted=service.TransferDetails.grouped(bank.iban) if bank.iban else None,
        bic=bank.bic,
        account_number=bank.account_number,
        sort_code=bank.sort_code,
        routing_number=bank.routing_number,
        reference_format=bank.reference_format,
        structured_reference=bank.structured_reference,
        payee_street=bank.payee_street,
        payee_house_number=bank.payee_house_number,
        payee_postcode=bank.payee_postcode,
        payee_town=bank.payee_town,
        payee_country=bank.payee_country,
        epc_qr=service.has_epc_qr(bank),
        swiss_qr_bill=swiss.has_qr_bill(bank),
        example_reference=example,
        created_at=bank.created_at,
        updated_at=bank.updated_at,
    )


@router.get("", response_model=list[BankAccountOut], responses=error_responses(Unauthorized))
def list_bank_accounts(session: SessionDep, principal: CurrentPrincipal) -> list[BankAccountOut]:
    return [_out(bank) for bank in service.list_bank_accounts(session, account_id=principal.account_id)]


@router.post(
    "",
    response_model=BankAccountOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Unauthorized, Conflict, InvalidInput),
)
def create_bank_account(
    data: BankAccountIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> BankAccountOut:
    return _out(service.create_bank_account(session, account_id=principal.account_id, data=data, clock=clock))


@router.get("/{bank_account_id}", response_model=BankAccountOut, responses=error_responses(Unauthorized, NotFound))
def get_bank_account(bank_account_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> BankAccountOut:
    return _out(service.get_bank_account(session, account_id=principal.account_id, bank_account_id=bank_account_id))


@router.put(
    "/{bank_account_id}",
    response_model=BankAccountOut,
    responses=error_responses(Unauthorized, NotFound, Conflict, InvalidInput),
)
def update_bank_account(
    bank_account_id: ObjectId, data: BankAccountIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> BankAccountOut:
    bank = service.update_bank_account(
        session, account_id=principal.account_id, bank_account_id=bank_account_id, data=data, clock=clock
    )
    return _out(bank)


@router.delete(
    "/{bank_account_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Unauthorized, NotFound)
)
def delete_bank_account(bank_account_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.delete_bank_account(session, account_id=principal.account_id, bank_account_id=bank_account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
