"""Who may call what: every signed-in API operation, by method and route, belongs to one area, and each
area names the roles that may read it (GET) and change it (any other method).

This table is the only place roles are enforced: `deps.get_principal` checks the matched route against it
on every signed-in request. An operation missing from the table is allowed to owners only, so a new
endpoint is never silently open to everyone (tests/teams/test_permission_matrix.py fails until it is
listed). A personal API token narrowed to read-only is refused every method but GET.
"""

from __future__ import annotations

from dataclasses import dataclass

from duespark.errors import PermissionDenied
from duespark.models.enums import Role

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.owner, Role.admin, Role.member})
MANAGERS = frozenset({Role.owner, Role.admin})
OWNERS = frozenset({Role.owner})


@dataclass(frozen=True)
class Area:
    title: str  # says in a 403 what the caller tried to reach
    read: frozenset[Role]
    write: frozenset[Role]


AREAS: dict[str, Area] = {
    # One's own profile, password, two-factor, sessions, personal tokens, accounts and invitations.
    "self": Area("your own profile", EVERYONE, EVERYONE),
    # Clients, invoices, payments, reminders, templates, replies, answers, reconciliation, documents.
    "business": Area("clients and invoices", EVERYONE, STAFF),
    # Account settings, bank accounts, reply and answer settings, the logo, the suppression list.
    "settings": Area("account settings", EVERYONE, MANAGERS),
    "integrations": Area("integrations (Stripe, accounting, webhook endpoints)", MANAGERS, MANAGERS),
    "go_live": Area("live sending and test mode", MANAGERS, MANAGERS),
    "team": Area("team members and invitations", MANAGERS, MANAGERS),
    "audit": Area("the audit trail", MANAGERS, MANAGERS),
    # Ownership, the export of all the account's data (deleting an account is erasing its last owner).
    "ownership": Area("ownership and data export", OWNERS, OWNERS),
}

# Areas by route. GET and the changes of one resource share an area unless noted.
_ROUTES: dict[str, tuple[str, ...]] = {
    "self": (
        "GET /api/me",
        "PATCH /api/me",
        "POST /api/me/delete",
        "GET /api/me/accounts",
        "GET /api/me/digest",
        "PUT /api/me/digest",
        "GET /api/me/digest/preview",
        "POST /api/auth/switch-account",
        "GET /api/tokens",
        "POST /api/tokens",
        "DELETE /api/tokens/{token_id}",
        "GET /api/auth/sessions",
        "DELETE /api/auth/sessions/{family_id}",
        "POST /api/auth/sessions/sign-out-others",
        "POST /api/auth/verify-email/request",
        "GET /api/auth/2fa",
        "POST /api/auth/2fa/enrol",
        "POST /api/auth/2fa/confirm",
        "POST /api/auth/2fa/recovery-codes",
        "POST /api/auth/2fa/disable",
        "POST /api/invitations/accept",
    ),
    "business": (
        "GET /api/clients",
        "POST /api/clients",
        "GET /api/clients/{client_id}",
        "PATCH /api/clients/{client_id}",
        "DELETE /api/clients/{client_id}",
        "GET /api/clients/{client_id}/insights",
        "GET /api/clients/{client_id}/portal-link",
        "GET /api/clients/{client_id}/promises",
        "GET /api/clients/{client_id}/reminder-policy",
        "PUT /api/clients/{client_id}/reminder-policy",
        "POST /api/clients/{client_id}/pause",
        "POST /api/clients/{client_id}/resume",
        "GET /api/invoices",
        "POST /api/invoices",
        "POST /api/invoices/import",
        "POST /api/invoices/not-chased/resume",
        "GET /api/invoices/{invoice_id}",
        "PATCH /api/invoices/{invoice_id}",
        "POST /api/invoices/{invoice_id}/void",
        "GET /api/invoices/{invoice_id}/payments",
        "POST /api/invoices/{invoice_id}/payments",
        "GET /api/invoices/{invoice_id}/adjustments",
        "POST /api/invoices/{invoice_id}/adjustments/{adjustment_id}/waive",
        "GET /api/invoices/{invoice_id}/messages",
        "GET /api/invoices/{invoice_id}/payment-link",
        "GET /api/invoices/{invoice_id}/prediction",
        "GET /api/invoices/{invoice_id}/reminders",
        "POST /api/invoices/{invoice_id}/pause",
        "POST /api/invoices/{invoice_id}/resume",
        "GET /api/invoices/{invoice_id}/replies",
        "GET /api/invoices/{invoice_id}/answers",
        "GET /api/insights/summary",
        "GET /api/insights/timeseries",
        "GET /api/templates",
        "GET /api/templates/{key}",
        "PUT /api/templates/{key}",
        "DELETE /api/templates/{key}",
        "POST /api/reminders/preview",
        "GET /api/reminders",
        "POST /api/reminders/{reminder_id}/send-now",
        "POST /api/reminders/{reminder_id}/cancel",
        "GET /api/reminder-policy",
        "PUT /api/reminder-policy",
        "GET /api/suppressions",
        "GET /api/notices",
        "POST /api/notices/{notice_id}/dismiss",
        "GET /api/replies",
        "POST /api/replies/{reply_id}/answered",
        "POST /api/replies/{reply_id}/answer",
        "GET /api/replies/{reply_id}/attachments/{index}",
        "GET /api/answers",
        "POST /api/answers/{answer_id}/resolve",
        "POST /api/answers/{answer_id}/confirm",
        "POST /api/answers/{answer_id}/reject",
        "POST /api/answers/{answer_id}/extend",
        "POST /api/answers/{answer_id}/cancel",
        "GET /api/attention",
        "GET /api/documents/limits",
        "GET /api/documents/invoices/{invoice_id}",
        "POST /api/documents/invoices/{invoice_id}",
        "POST /api/documents/bulk",
        "GET /api/documents/invoices/{invoice_id}/pdf",
        "POST /api/documents/invoices/{invoice_id}/link",
        "GET /api/documents/{document_id}/content",
        "DELETE /api/documents/{document_id}",
        "GET /api/reconciliation/statements",
        "POST /api/reconciliation/statements",
        "GET /api/reconciliation/statements/{statement_id}",
        "POST /api/reconciliation/entries/{entry_id}/confirm",
        "POST /api/reconciliation/entries/{entry_id}/reject",
        "POST /api/reconciliation/confirm",
    ),
    "settings": (
        "GET /api/account",
        "PATCH /api/account",
        "GET /api/account/payment-setup",
        "GET /api/bank-accounts",
        "POST /api/bank-accounts",
        "GET /api/bank-accounts/{bank_account_id}",
        "PUT /api/bank-accounts/{bank_account_id}",
        "DELETE /api/bank-accounts/{bank_account_id}",
        "GET /api/reply-settings",
        "PUT /api/reply-settings",
        "GET /api/answer-settings",
        "PUT /api/answer-settings",
        "GET /api/documents/logo",
        "PUT /api/documents/logo",
        "DELETE /api/documents/logo",
        # Taking an address off the suppression list lets reminders reach someone who complained.
        "DELETE /api/suppressions/{suppression_id}",
    ),
    "integrations": (
        "GET /api/integrations",
        "POST /api/integrations/{provider}/connect",
        "POST /api/integrations/{provider}/callback",
        "POST /api/integrations/{provider}/sync",
        "PATCH /api/integrations/{provider}",
        "DELETE /api/integrations/{provider}",
        "GET /api/integrations/stripe",
        "PUT /api/integrations/stripe",
        "DELETE /api/integrations/stripe",
        "POST /api/integrations/stripe/import",
        "GET /api/webhooks/event-types",
        "GET /api/webhooks/endpoints",
        "POST /api/webhooks/endpoints",
        "GET /api/webhooks/endpoints/{endpoint_id}",
        "PATCH /api/webhooks/endpoints/{endpoint_id}",
        "DELETE /api/webhooks/endpoints/{endpoint_id}",
        "POST /api/webhooks/endpoints/{endpoint_id}/rotate-secret",
        "GET /api/webhooks/endpoints/{endpoint_id}/deliveries",
        "POST /api/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/resend",
        "POST /api/webhooks/endpoints/{endpoint_id}/test",
    ),
    "go_live": (
        "GET /api/account/go-live/preview",
        "POST /api/account/go-live",
        "POST /api/account/test-mode",
    ),
    "team": (
        "GET /api/members",
        "PATCH /api/members/{user_id}",
        "DELETE /api/members/{user_id}",
        "GET /api/invitations",
        "POST /api/invitations",
        "POST /api/invitations/{invitation_id}/resend",
        "DELETE /api/invitations/{invitation_id}",
    ),
    "audit": ("GET /api/audit",),
    "ownership": (
        "GET /api/me/export",
        "POST /api/members/transfer-ownership",
    ),
}

POLICY: dict[tuple[str, str], str] = {
    (route.split(" ", 1)[0], route.split(" ", 1)[1]): area for area, routes in _ROUTES.items() for route in routes
}
# Not in the table: allowed to owners, who may do everything, and refused to everyone else.
UNLISTED = Area("an operation no role has been given", OWNERS, OWNERS)


class RoleNotAllowed(PermissionDenied):
    error = "RoleNotAllowed"


class ReadOnlyToken(PermissionDenied):
    error = "ReadOnlyToken"

    def __init__(self) -> None:
        super().__init__("This API token is read-only: it may only read (GET)")


def area_of(method: str, route: str) -> Area:
    name = POLICY.get((method, route))
    return AREAS[name] if name else UNLISTED


def allowed(role: str, method: str, route: str) -> bool:
    area = area_of(method, route)
    return role in (area.read if method in ("GET", "HEAD") else area.write)


def check(*, role: str, read_only: bool, method: str, route: str) -> None:
    """Raise 403 naming the role unless the role may call `method route` (the route's path template)."""
    reads = method in ("GET", "HEAD")
    if read_only and not reads:
        raise ReadOnlyToken()
    if allowed(role, method, route):
        return
    area = area_of(method, route)
    roles = area.read if reads else area.write
    verb = "view" if reads else "change"
    needs = " or ".join(r.value for r in Role if r in roles)
    raise RoleNotAllowed(f"Your role ({role}) may not {verb} {area.title}: that needs the role {needs}")
