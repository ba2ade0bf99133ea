"""Every signed-in operation of the OpenAPI document by every role: allowed, or 403 naming the role; never a 500.

The requests name objects that do not exist and send empty bodies, so an allowed call stops at its own
404 or 422 and changes nothing, while a refused one is stopped before the handler by teams/policy.py.
"""

from __future__ import annotations

import re

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from duespark.deps import CurrentPrincipal, get_principal
from duespark.teams import policy
from tests.helpers import auth
from tests.teams.support import make_team

ROLES = ("owner", "admin", "member", "viewer")
MISSING_ID = "987654321"
# Path parameters that are not object ids, with a value that names nothing.
PATH_VALUES = {"key": "no-such-template", "family_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12}
REFUSALS = ("RoleNotAllowed", "ReadOnlyToken")


def _uses_principal(dependant: Dependant) -> bool:
    return any(d.call is get_principal or _uses_principal(d) for d in dependant.dependencies)


def _api_routes(routes) -> list[APIRoute]:
    """The app's routes, including those of included routers (FastAPI keeps those nested)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
    return found


def _signed_in_operations(app) -> list[tuple[str, str]]:
    operations = []
    for route in _api_routes(app.routes):
        if _uses_principal(route.dependant):
            operations += [(method, route.path_format) for method in sorted(route.methods - {"HEAD"})]
    return operations


def _url(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: PATH_VALUES.get(m.group(1), MISSING_ID), path)


def test_every_signed_in_operation_is_in_the_policy_and_nothing_else_is(app):
    operations = set(_signed_in_operations(app))
    assert len(operations) > 100
    assert sorted(operations - policy.POLICY.keys()) == [], "give these operations an area in teams/policy.py"
    assert sorted(policy.POLICY.keys() - operations) == [], "teams/policy.py names operations that do not exist"
    # The document the client is generated from lists the same operations, each able to answer 403.
    document = app.openapi()["paths"]
    for method, path in operations:
        assert "403" in document[path][method.lower()]["responses"], (method, path)


@pytest.mark.parametrize("caller", [*ROLES, "read-only token"])
def test_every_operation_for_every_role_is_allowed_or_refused_by_role(caller, app, client, session, clock):
    team = make_team(client, session, clock)
    if caller == "read-only token":
        created = client.post("/api/tokens", headers=team["admin"]["headers"], json={"name": "ro", "read_only": True})
        headers, role = auth(created.json()["token"]), "admin"
    else:
        headers, role = team[caller]["headers"], caller
    for method, path in _signed_in_operations(app):
        response = client.request(method, _url(path), headers=headers, json={} if method != "GET" else None)
        assert response.status_code < 500, f"{method} {path} answered {response.status_code}"
        refused = response.status_code == 403 and response.json()["error"] in REFUSALS
        expected = policy.allowed(role, method, path) and (caller in ROLES or method == "GET")
        assert refused is not expected, f"{method} {path} answered {response.status_code} {response.text}"
        if refused and caller in ROLES:
            assert f"Your role ({caller})" in response.json()["detail"]


def test_owners_may_do_everything_and_each_role_less_than_the_one_above(app):
    operations = _signed_in_operations(app)
    allowed = {role: {op for op in operations if policy.allowed(role, *op)} for role in ROLES}
    assert allowed["owner"] == set(operations)
    assert allowed["owner"] > allowed["admin"] > allowed["member"] > allowed["viewer"]
    assert all(method == "GET" or policy.POLICY[(method, path)] == "self" for method, path in allowed["viewer"])


def test_the_refusal_names_the_role_and_what_it_needs(client, session, clock):
    team = make_team(client, session, clock)
    response = client.get("/api/integrations/stripe", headers=team["member"]["headers"])
    assert response.status_code == 403
    assert response.json() == {
        "error": "RoleNotAllowed",
        "detail": "Your role (member) may not view integrations (Stripe, accounting, webhook endpoints): "
        "that needs the role owner or admin",
    }
    viewer = client.post("/api/clients", headers=team["viewer"]["headers"], json={"name": "Nope"})
    assert viewer.json()["detail"] == (
        "Your role (viewer) may not change clients and invoices: that needs the role owner or admin or member"
    )
    assert client.get("/api/clients", headers=team["viewer"]["headers"]).json()["total"] == 0


def test_an_operation_missing_from_the_policy_is_open_to_owners_only(app, client, session, clock):
    team = make_team(client, session, clock)

    @app.get("/api/not-in-the-policy")
    def new_endpoint(principal: CurrentPrincipal) -> dict:
        return {"ok": True}

    assert client.get("/api/not-in-the-policy", headers=team["owner"]["headers"]).json() == {"ok": True}
    for role in ("admin", "member", "viewer"):
        response = client.get("/api/not-in-the-policy", headers=team[role]["headers"])
        assert response.status_code == 403, role
        assert response.json()["error"] == "RoleNotAllowed"


def test_a_read_only_token_reads_and_writes_nothing(client, session, clock):
    team = make_team(client, session, clock)
    created = client.post("/api/tokens", headers=team["member"]["headers"], json={"name": "ro", "read_only": True})
    assert created.status_code == 201 and created.json()["read_only"] is True
    token = auth(created.json()["token"])
    assert client.get("/api/invoices", headers=token).status_code == 200
    response = client.post("/api/clients", headers=token, json={"name": "Nope"})
    assert response.status_code == 403
    assert response.json() == {
        "error": "ReadOnlyToken",
        "detail": "This API token is read-only: it may only read (GET)",
    }
    # Nor can it make itself a token that writes, nor revoke one.
    assert client.post("/api/tokens", headers=token, json={"name": "escalate"}).status_code == 403
    assert client.get("/api/clients", headers=team["member"]["headers"]).json()["total"] == 0
    # A full token carries its creator's role: a member's token is refused what a member is refused.
    full = auth(client.post("/api/tokens", headers=team["member"]["headers"], json={"name": "rw"}).json()["token"])
    assert client.post("/api/clients", headers=full, json={"name": "Yes"}).status_code == 201
    assert client.get("/api/members", headers=full).status_code == 403
