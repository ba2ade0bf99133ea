"""Bank accounts clients pay into by transfer, and the transfer each invoice asks for.

`transfer_for_invoice` is what every place that shows how to pay by transfer uses (email, pay page,
portal, PDF): payee, account, amount, reference, the EPC QR payload where there is one, and the lines
of text to print beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duespark.banktransfer import epc, swiss, wording
from duespark.banktransfer.schemas import BankAccountIn
from duespark.clock import Clock
from duespark.errors import Conflict, InvalidInput
from duespark.models import BankAccount, Invoice
from duespark.money import MoneyError, format_amount, format_for_people, normalize_currency
from duespark.tenancy import get_owned, scoped

PLACEHOLDER = "{invoice_number}"
EXAMPLE_NUMBER = "INV-1042"
EPC_CURRENCY = "EUR"


# --- the transfer an invoice asks for ----------------------------------------------------------


@dataclass(frozen=True)
class TransferDetails:
    """How to pay one invoice by bank transfer. `amount_minor` is what is still due."""

    payee: str
    currency: str
    amount_minor: int
    reference: str
    structured_reference: bool
    iban: str | None
    bic: str | None
    account_number: str | None
    sort_code: str | None
    routing_number: str | None
    epc_payload: str | None
    swiss: swiss.SwissBill | None = None  # CHF to a QR-IBAN: the Swiss QR-bill

    @property
    def qr_payload(self) -> str | None:
        """The text of the QR code a banking app scans: EPC (SEPA) or Swiss QR-bill; None: no code."""
        if self.epc_payload is not None:
            return self.epc_payload
        return self.swiss.payload if self.swiss is not None else None

    @property
    def amount(self) -> str:
        """The API's decimal string ("1250.00")."""
        return format_amount(self.amount_minor, self.currency)

    @property
    def iban_formatted(self) -> str | None:
        return self.grouped(self.iban) if self.iban else None

    @staticmethod
    def grouped(code: str) -> str:
        """An IBAN in groups of four, as people read and type it."""
        return " ".join(code[i : i + 4] for i in range(0, len(code), 4))

    def qr_png(self, scale: int = 4) -> bytes:
        """The QR code as PNG (the Swiss one with its cross); only when `qr_payload` is set."""
        if self.epc_payload is not None:
            return epc.qr_png(self.epc_payload, scale=scale)
        if self.swiss is not None:
            return swiss.qr_png(self.swiss.payload, scale=scale)
        raise ValueError("this transfer has no QR code")

    def qr_svg(self, scale: int = 4, *, locale: str = "en") -> str:
        if self.epc_payload is not None:
            return epc.qr_svg(self.epc_payload, scale=scale, title=self.qr_alt(locale))
        if self.swiss is not None:
            return swiss.qr_svg(self.swiss.payload, scale=scale, title=self.qr_alt(locale))
        raise ValueError("this transfer has no QR code")

    def qr_alt(self, locale: str = "en") -> str:
        return wording.labels(locale)["qr_alt"].format(amount=self.money(locale), payee=self.payee)

    def money(self, locale: str = "en") -> str:
        return format_for_people(self.amount_minor, self.currency, locale)

    def fields(self, locale: str = "en") -> list[tuple[str, str]]:
        """(label, value) pairs in reading order, for tables (pay page, portal, HTML email)."""
        words = wording.labels(locale)
        rows = [(words["payee"], self.payee)]
        if self.iban:
            rows.append((words["iban"], self.iban_formatted or self.iban))
        if self.bic:
            rows.append((words["bic"], self.bic))
        if self.account_number:
            rows.append((words["account_number"], self.account_number))
        if self.sort_code:
            rows.append((words["sort_code"], _sort_code(self.sort_code)))
        if self.routing_number:
            rows.append((words["routing_number"], self.routing_number))
        rows.append((words["amount"], self.money(locale)))
        rows.append((words["reference"], self.reference))
        return rows

    def lines(self, locale: str = "en") -> list[str]:
        """The lines to print in words ("IBAN: DE89 3704 ..."), for text emails and PDFs."""
        return [f"{label}: {value}" for label, value in self.fields(locale)]


def _sort_code(code: str) -> str:
    return f"{code[0:2]}-{code[2:4]}-{code[4:6]}"


def reference_for(bank: BankAccount, invoice_number: str) -> tuple[str, bool]:
    """(reference, structured): the formatted reference, or its creditor reference when asked for and
    possible (at most 21 letters and digits); otherwise the text itself."""
    if swiss.is_qr_iban(bank.iban):
        # A QR-IBAN takes only payments that carry a QR reference.
        reference = swiss.qr_reference(invoice_number)
        if reference is not None:
            return reference, True
    text = epc.one_line(bank.reference_format.replace(PLACEHOLDER, invoice_number), epc.MAX_UNSTRUCTURED)
    if bank.structured_reference and bank.iban:
        creditor = epc.creditor_reference(text)
        if creditor is not None:
            return creditor, True
    return text, False


def has_epc_qr(bank: BankAccount) -> bool:
    """A EUR account with an IBAN in the SEPA zone: the EPC QR code is a SEPA credit transfer."""
    if bank.currency != EPC_CURRENCY or not bank.iban or swiss.is_qr_iban(bank.iban):
        return False
    try:
        return IBAN(bank.iban).in_sepa_zone
    except SchwiftyException:
        return False


def transfer_from(bank: BankAccount, invoice: Invoice, *, amount_minor: int | None = None) -> TransferDetails:
    """The transfer for `invoice` into `bank` (which must be for the invoice's currency).
    `amount_minor` overrides the balance (a reminder that adds a late fee asks for the fee too)."""
    amount = invoice.balance_minor if amount_minor is None else amount_minor
    reference, structured = reference_for(bank, invoice.number)
    return _details(bank, amount=amount, reference=reference, structured=structured, numbers=[invoice.number])


def statement_reference(bank: BankAccount, numbers: Sequence[str], *, fallback: str) -> str:
    """The reference of one transfer paying several invoices: the account's format with every invoice
    number in it ("INV-1, INV-2"), so the payment can be matched to each; `fallback` (a statement
    reference) when the numbers do not fit the 140 characters a transfer's remittance text carries."""
    listed = bank.reference_format.replace(PLACEHOLDER, ", ".join(numbers))
    if len(epc.one_line(listed, epc.MAX_UNSTRUCTURED + 1)) <= epc.MAX_UNSTRUCTURED:
        return epc.one_line(listed, epc.MAX_UNSTRUCTURED)
    return epc.one_line(fallback, epc.MAX_UNSTRUCTURED)


def transfer_for_statement(
    bank: BankAccount, *, numbers: Sequence[str], amount_minor: int, fallback_reference: str
) -> TransferDetails | None:
    """One transfer into `bank` paying the statement's invoices of its currency (`amount_minor` their
    total). Several invoices have no single creditor reference, so a one-invoice statement is the only
    one that keeps the structured (RF) reference."""
    if len(numbers) == 1:
        reference, structured = reference_for(bank, numbers[0])
    elif swiss.is_qr_iban(bank.iban):
        return None  # one QR reference names one invoice: each is paid by its own QR-bill
    else:
        reference, structured = statement_reference(bank, numbers, fallback=fallback_reference), False
    return _details(bank, amount=amount_minor, reference=reference, structured=structured, numbers=numbers)


def statement_transfers(
    bank_for: Callable[[str], BankAccount | None], owed: Iterable[tuple[str, str, int]], *, on: date
) -> list[TransferDetails]:
    """One transfer per currency a statement asks for, by currency code: `owed` is (invoice number,
    currency, amount) per invoice, `bank_for` the account's bank account in a currency (None: that
    currency is paid some other way and gets no transfer)."""
    by_currency: dict[str, list[tuple[str, int]]] = {}
    for number, currency, amount in owed:
        by_currency.setdefault(currency, []).append((number, amount))
    transfers = []
    for currency, items in sorted(by_currency.items()):
        bank = bank_for(currency)
        total = sum(amount for _, amount in items)
        if bank is None or total <= 0:
            continue
        numbers = [number for number, _ in items]
        fallback = f"Statement {on.isoformat()}: {numbers[0]} ... {numbers[-1]} ({len(numbers)} invoices)"
        transfer = transfer_for_statement(bank, numbers=numbers, amount_minor=total, fallback_reference=fallback)
        if transfer is not None:
            transfers.append(transfer)
    return transfers


def _details(
    bank: BankAccount, *, amount: int, reference: str, structured: bool, numbers: Sequence[str]
) -> TransferDetails:
    payload = None
    if has_epc_qr(bank) and amount > 0:
        payload = epc.EpcTransfer(
            name=bank.payee_name,
            iban=bank.iban or "",
            bic=bank.bic,
            amount_cents=amount,
            creditor_reference=reference if structured else None,
            remittance_text=None if structured else reference,
        ).payload()
    return TransferDetails(
        payee=bank.payee_name,
        currency=bank.currency,
        amount_minor=amount,
        reference=reference,
        structured_reference=structured,
        iban=bank.iban,
        bic=bank.bic,
        account_number=bank.account_number,
        sort_code=bank.sort_code,
        routing_number=bank.routing_number,
        epc_payload=payload,
        swiss=swiss.swiss_bill(bank, amount_minor=amount, reference=reference, invoice_numbers=", ".join(numbers)),
    )


def bank_account_for(session: Session, *, account_id: int, currency: str) -> BankAccount | None:
    return session.scalars(scoped(BankAccount, account_id).where(BankAccount.currency == currency)).first()


def transfer_for_invoice(
    session: Session, invoice: Invoice, *, amount_minor: int | None = None
) -> TransferDetails | None:
    """How to pay `invoice` by transfer, or None when its account has no bank account in its currency."""
    bank = bank_account_for(session, account_id=invoice.account_id, currency=invoice.currency)
    return transfer_from(bank, invoice, amount_minor=amount_minor) if bank is not None else None


def bank_accounts_of(session: Session, account_ids: Iterable[int]) -> dict[tuple[int, str], BankAccount]:
    """The bank accounts of several accounts at once, by (account id, currency): one query for a batch."""
    ids = set(account_ids)
    if not ids:
        return {}
    rows = session.scalars(select(BankAccount).where(BankAccount.account_id.in_(ids)))
    return {(row.account_id, row.currency): row for row in rows}


def transfers_for(session: Session, invoices: Iterable[Invoice]) -> dict[int, TransferDetails]:
    """The transfer of each invoice that has a bank account in its currency, by invoice id (one query)."""
    invoices = list(invoices)
    banks = bank_accounts_of(session, {invoice.account_id for invoice in invoices})
    return {
        invoice.id: transfer_from(bank, invoice)
        for invoice in invoices
        if (bank := banks.get((invoice.account_id, invoice.currency))) is not None
    }


def has_bank_account(session: Session, *, account_id: int) -> bool:
    return session.scalars(scoped(BankAccount, account_id, BankAccount.id).limit(1)).first() is not None


# --- settings: the account's bank accounts --------------------------------------------------------


@dataclass(frozen=True)
class CheckedAccount:
    currency: str
    payee_name: str
    iban: str | None
    bic: str | None
    account_number: str | None
    sort_code: str | None
    routing_number: str | None
    reference_format: str
    structured_reference: bool
    payee_street: str | None
    payee_house_number: str | None
    payee_postcode: str | None
    payee_town: str | None
    payee_country: str | None


ADDRESS_FIELDS = ("payee_street", "payee_house_number", "payee_postcode", "payee_town")


def _check_address(data: BankAccountIn, iban: str | None) -> dict[str, str | None]:
    """The payee's address, trimmed: all of postcode, town and country or none, and all three for a
    QR-IBAN (only a Swiss QR-bill pays into one, and it names the payee's address)."""
    address: dict[str, str | None] = {name: (getattr(data, name) or "").strip() or None for name in ADDRESS_FIELDS}
    country = (data.payee_country or "").strip().upper() or None
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise InvalidInput("payee_country", "A country is its two-letter ISO 3166 code, such as CH.")
    address["payee_country"] = country
    given = any(address.values())
    if given or swiss.is_qr_iban(iban):
        for name in ("payee_postcode", "payee_town", "payee_country"):
            if address[name] is None:
                why = (
                    "A QR-IBAN is paid with a Swiss QR-bill, which names the payee's address"
                    if not given
                    else ("An address needs its postcode, town and country")
                )
                raise InvalidInput(name, f"{why}: give the {name.removeprefix('payee_').replace('_', ' ')}.")
    return address


def _compact(value: str | None) -> str | None:
    """Spaces and dashes out, upper case; None for nothing."""
    if value is None:
        return None
    compact = "".join(value.split()).replace("-", "").upper()
    return compact or None


def _check_iban(raw: str) -> str:
    try:
        return IBAN(raw).compact
    except SchwiftyException as exc:
        raise InvalidInput("iban", f"Not a valid IBAN: {exc}.") from exc


def _check_bic(raw: str) -> str:
    try:
        return BIC(raw).compact
    except SchwiftyException as exc:
        raise InvalidInput("bic", f"Not a valid BIC: {exc}.") from exc


def routing_number_valid(number: str) -> bool:
    """An ABA routing number: nine digits whose weighted sum (3, 7, 1 repeating) is a multiple of 10."""
    if len(number) != 9 or not number.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(digit) * weight for digit, weight in zip(number, weights, strict=True)) % 10 == 0


def _check_domestic(data: BankAccountIn) -> tuple[str, str | None, str | None]:
    number = _compact(data.account_number) or ""
    sort_code, routing = _compact(data.sort_code), _compact(data.routing_number)
    if not number.isdigit() or not 4 <= len(number) <= 17:
        raise InvalidInput("account_number", "An account number has 4 to 17 digits.")
    if (sort_code is None) == (routing is None):
        raise InvalidInput("sort_code", "Give the bank's sort code (UK) or its routing number (US), one of them.")
    if sort_code is not None and not (len(sort_code) == 6 and sort_code.isdigit()):
        raise InvalidInput("sort_code", "A sort code has 6 digits, such as 20-00-00.")
    if routing is not None and not routing_number_valid(routing):
        raise InvalidInput("routing_number", "Not a valid ABA routing number (9 digits with a check digit).")
    return number, sort_code, routing


def check_bank_account(data: BankAccountIn) -> CheckedAccount:
    """The input validated and normalised, or a 422 naming the field at fault."""
    try:
        currency = normalize_currency(data.currency)
    except MoneyError as exc:
        raise InvalidInput("currency", str(exc)) from exc
    iban_raw, number_raw = _compact(data.iban), _compact(data.account_number)
    if (iban_raw is None) == (number_raw is None):
        raise InvalidInput("iban", "Give an IBAN, or an account number with its sort code or routing number.")
    iban = _check_iban(iban_raw) if iban_raw else None
    bic_raw = _compact(data.bic)
    bic = _check_bic(bic_raw) if bic_raw else None
    number = sort_code = routing = None
    if iban is None:
        number, sort_code, routing = _check_domestic(data)
    elif data.sort_code or data.routing_number:
        raise InvalidInput("sort_code", "An IBAN already names the bank: leave sort code and routing number empty.")
    reference_format = data.reference_format.strip()
    if PLACEHOLDER not in reference_format:
        raise InvalidInput("reference_format", f"Must contain {PLACEHOLDER}, so each transfer names its invoice.")
    if "{" in reference_format.replace(PLACEHOLDER, ""):
        raise InvalidInput("reference_format", f"The only placeholder is {PLACEHOLDER}.")
    if data.structured_reference and iban is None:
        raise InvalidInput("structured_reference", "A creditor reference (RF) goes with an IBAN.")
    return CheckedAccount(
        currency=currency,
        payee_name=data.payee_name.strip(),
        iban=iban,
        bic=bic,
        account_number=number,
        sort_code=sort_code,
        routing_number=routing,
        reference_format=reference_format,
        structured_reference=data.structured_reference,
        **_check_address(data, iban),
    )


def list_bank_accounts(session: Session, *, account_id: int) -> list[BankAccount]:
    return list(session.scalars(scoped(BankAccount, account_id).order_by(BankAccount.currency, BankAccount.id)))


def get_bank_account(session: Session, *, account_id: int, bank_account_id: int) -> BankAccount:
    return get_owned(session, BankAccount, bank_account_id, account_id, what="Bank account")


def _currency_taken(currency: str) -> Conflict:
    return Conflict(f"There is already a bank account for {currency}; edit that one.")


def _save(session: Session, bank: BankAccount) -> None:
    """Flush in a savepoint: a second account for the same currency (two requests at once) is a 409."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _currency_taken(bank.currency) from exc


def create_bank_account(session: Session, *, account_id: int, data: BankAccountIn, clock: Clock) -> BankAccount:
    checked = check_bank_account(data)
    if bank_account_for(session, account_id=account_id, currency=checked.currency) is not None:
        raise _currency_taken(checked.currency)
    now = clock.now()
    bank = BankAccount(account_id=account_id, created_at=now, updated_at=now, **vars(checked))
    session.add(bank)
    _save(session, bank)
    return bank


def update_bank_account(
    session: Session, *, account_id: int, bank_account_id: int, data: BankAccountIn, clock: Clock
) -> BankAccount:
    bank = get_bank_account(session, account_id=account_id, bank_account_id=bank_account_id)
    checked = check_bank_account(data)
    if checked.currency != bank.currency:
        other = bank_account_for(session, account_id=account_id, currency=checked.currency)
        if other is not None:
            raise _currency_taken(checked.currency)
    for name, value in vars(checked).items():
        setattr(bank, name, value)
    bank.updated_at = clock.now()
    _save(session, bank)
    return bank


def delete_bank_account(session: Session, *, account_id: int, bank_account_id: int) -> None:
    session.delete(get_bank_account(session, account_id=account_id, bank_account_id=bank_account_id))
    session.flush()
