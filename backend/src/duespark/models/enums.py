from enum import StrEnum


class Role(StrEnum):
    """A user's place in an account, most powerful first; what each may do is teams/policy.py."""

    owner = "owner"
    admin = "admin"
    member = "member"
    viewer = "viewer"


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
