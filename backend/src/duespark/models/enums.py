from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    member = "member"


class ClientType(StrEnum):
    individual = "individual"
    business = "business"
    enterprise = "enterprise"


class InvoiceStatus(StrEnum):
    """Stored states. `overdue` is derived from the balance, the due date and the account's timezone."""

    draft = "draft"
    open = "open"
    partially_paid = "partially_paid"
    paid = "paid"
    void = "void"


class PaymentMethod(StrEnum):
    manual = "manual"
    stripe = "stripe"
    other = "other"
