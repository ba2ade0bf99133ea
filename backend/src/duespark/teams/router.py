"""Team members, invitations, and a user's accounts (what each role may call: teams/policy.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from duespark.auth import service as auth_service
from duespark.auth.router import REFRESH_COOKIE, device_of, set_refresh_cookie
from duespark.auth.schemas import TokenPair
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, HasherDep, SettingsDep
from duespark.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthorized, error_responses
from duespark.models import User
from duespark.ops.ratelimit import register_per_email, register_per_ip
from duespark.teams import invitations, members
from duespark.teams.schemas import (
    AccountChoiceList,
    AccountChoiceOut,
    InvitationIn,
    InvitationList,
    InvitationOut,
    InvitationPreview,
    InvitationToken,
    InvitedSignUp,
    MemberList,
    MemberOut,
    OwnershipTransfer,
    RoleChange,
    SwitchAccount,
)
from duespark.tenancy import ObjectId

router = APIRouter(prefix="/api", tags=["teams"])
SIGNED_IN = error_responses(Unauthorized, PermissionDenied)


@router.get("/members", response_model=MemberList, responses=SIGNED_IN)
def list_members(session: SessionDep, principal: CurrentPrincipal) -> MemberList:
    items = members.list_members(session, account_id=principal.account_id)
    return MemberList(items=[MemberOut.model_validate(m) for m in items])


@router.patch(
    "/members/{user_id}",
    response_model=MemberOut,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound, Conflict, InvalidInput),
)
def change_member_role(
    user_id: ObjectId, data: RoleChange, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> MemberOut:
    """The last owner cannot be demoted (409); only an owner gives or takes the owner role."""
    member = members.change_role(session, principal=principal, user_id=user_id, role=data.role, clock=clock)
    return MemberOut.model_validate(member)


@router.delete(
    "/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound, Conflict),
)
def remove_member(user_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> Response:
    """The member's sessions and API tokens for this account stop working; the last owner stays (409)."""
    members.remove(session, principal=principal, user_id=user_id, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/members/transfer-ownership",
    response_model=MemberOut,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound, Conflict, InvalidInput),
)
def transfer_ownership(
    data: OwnershipTransfer, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> MemberOut:
    member = members.transfer_ownership(session, principal=principal, user_id=data.user_id, clock=clock)
    return MemberOut.model_validate(member)


@router.get("/invitations", response_model=InvitationList, responses=SIGNED_IN)
def list_invitations(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> InvitationList:
    """Open invitations: neither accepted, revoked nor expired."""
    items = invitations.list_pending(session, account_id=principal.account_id, clock=clock)
    return InvitationList(items=[InvitationOut.model_validate(i) for i in items])


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationOut,
    responses=error_responses(Unauthorized, PermissionDenied, Conflict, InvalidInput),
)
def create_invitation(
    data: InvitationIn, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> InvitationOut:
    """Emails a link valid for 7 days; an address already in the team or invited answers 409."""
    invitation = invitations.invite(
        session, principal=principal, email=data.email, role=data.role, settings=settings, clock=clock
    )
    return InvitationOut.model_validate(invitation)


@router.post(
    "/invitations/{invitation_id}/resend",
    response_model=InvitationOut,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound, Conflict),
)
def resend_invitation(
    invitation_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep, clock: ClockDep
) -> InvitationOut:
    """A new link, valid 7 days from now; the link sent before stops working."""
    invitation = invitations.resend(
        session, principal=principal, invitation_id=invitation_id, settings=settings, clock=clock
    )
    return InvitationOut.model_validate(invitation)


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound),
)
def revoke_invitation(
    invitation_id: ObjectId, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> Response:
    invitations.revoke(session, principal=principal, invitation_id=invitation_id, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invitations/preview",
    response_model=InvitationPreview,
    responses=error_responses(NotFound, InvalidInput),
    dependencies=[Depends(register_per_ip)],
)
def preview_invitation(
    data: InvitationToken, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> InvitationPreview:
    """What the link invites to, without signing in: a forged link answers 404, a spent or expired one 422."""
    view = invitations.view(session, token=data.token, settings=settings, clock=clock)
    return InvitationPreview.model_validate(view)


@router.post(
    "/invitations/accept",
    response_model=TokenPair,
    responses=error_responses(Unauthorized, PermissionDenied, NotFound, Conflict, InvalidInput),
)
def accept_invitation(
    data: InvitationToken,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
) -> TokenPair:
    """The signed-in user joins (the invitation must name their address) and gets tokens for that account."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User")
    membership = invitations.accept(session, token=data.token, user=user, settings=settings, clock=clock)
    return _tokens_for(request, response, session, settings, clock, user.id, membership.account_id)


@router.post(
    "/auth/register-invited",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenPair,
    responses=error_responses(NotFound, Conflict, InvalidInput),
    dependencies=[Depends(register_per_ip), Depends(register_per_email)],
)
def register_invited(
    data: InvitedSignUp,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    hasher: HasherDep,
) -> TokenPair:
    """Sign up through an invitation link, with the invited address; the new user joins that account."""
    view = invitations.view(session, token=data.token, settings=settings, clock=clock)
    if data.email.lower() != view.email.lower():
        raise InvalidInput("email", "This invitation was sent to another address: sign up with that address")
    user, membership = invitations.sign_up(
        session, token=data.token, name=data.name, password=data.password, hasher=hasher, settings=settings, clock=clock
    )
    return _tokens_for(request, response, session, settings, clock, user.id, membership.account_id)


@router.get("/me/accounts", response_model=AccountChoiceList, responses=SIGNED_IN)
def my_accounts(session: SessionDep, principal: CurrentPrincipal) -> AccountChoiceList:
    """Every account the user belongs to, with their role there; `current` is the one this token names."""
    items = members.accounts_of(session, user_id=principal.user_id)
    return AccountChoiceList(
        items=[AccountChoiceOut(id=a.id, name=a.name, role=a.role, current=a.id == principal.account_id) for a in items]
    )


@router.post("/auth/switch-account", response_model=TokenPair, responses=error_responses(Unauthorized, NotFound))
def switch_account(
    data: SwitchAccount,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
) -> TokenPair:
    """New tokens naming another account of the user's (404 for one they do not belong to)."""
    if not any(a.id == data.account_id for a in members.accounts_of(session, user_id=principal.user_id)):
        raise NotFound("Account")
    return _tokens_for(request, response, session, settings, clock, principal.user_id, data.account_id)


def _tokens_for(request, response, session, settings, clock, user_id: int, account_id: int) -> TokenPair:  # type: ignore[no-untyped-def]
    """Tokens naming the account; the web session's refresh cookie moves to them (the old sign-in ends)."""
    old = request.cookies.get(REFRESH_COOKIE)
    if old:
        auth_service.logout(session, token=old, clock=clock)
    pair = auth_service.issue_tokens(
        session, user_id=user_id, account_id=account_id, settings=settings, clock=clock, device=device_of(request)
    )
    set_refresh_cookie(response, pair, settings)
    return pair
