from __future__ import annotations

import secrets
from typing import Annotated, Any

import httpx
import structlog
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from duespark import jsonbody
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.email import service, sns, template_service, templates, webhooks
from duespark.email.schemas import (
    LateFeeOut,
    MessageEventOut,
    MessageList,
    MessageOut,
    PreviewIn,
    PreviewOut,
    SuppressionList,
    SuppressionOut,
    TemplateCatalog,
    TemplateIn,
    TemplateKeyOut,
    TemplateOut,
    TemplateOverrideOut,
    VariableOut,
    WebhookAck,
)
from duespark.email.templates import TemplateSource
from duespark.email.unsubscribe_page import render_page
from duespark.errors import DomainError, InvalidInput, NotFound, PermissionDenied, Unauthorized, error_responses
from duespark.invoices.adjustments import describe
from duespark.models import Account, Reminder
from duespark.money import format_amount
from duespark.ops.ratelimit import public_link_per_ip
from duespark.reminders.service import reminder_explanation, tone_when_sent
from duespark.signing import InvalidLink
from duespark.tenancy import ObjectId, get_owned

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/api", tags=["email"], responses=error_responses(Unauthorized))
webhook_router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
unsubscribe_router = APIRouter(tags=["unsubscribe"], dependencies=[Depends(public_link_per_ip)])

LocaleQuery = Annotated[str | None, Query(max_length=16, description="e.g. de or de_DE; the account's by default")]


def _account(session: SessionDep, principal: CurrentPrincipal) -> Account:
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    return account


AccountDep = Annotated[Account, Depends(_account)]


# --- templates ----------------------------------------------------------------------------------


@router.get("/templates", response_model=TemplateCatalog)
def list_templates(session: SessionDep, account: AccountDep) -> TemplateCatalog:
    """Every template key, the languages it has, the account's own versions, and the variables."""
    overrides = template_service.overrides_by_key(session, account.id)
    specs = template_service.editable_specs()
    return TemplateCatalog(
        keys=[
            TemplateKeyOut(
                key=spec.key,
                description=spec.description,
                default_locales=[
                    loc for loc in templates.default_locales() if templates.default_template(loc, spec.key)
                ],
                custom_locales=[
                    TemplateOverrideOut(locale=row.locale, updated_at=row.updated_at)
                    for row in overrides.get(spec.key, [])
                ],
                variables=[v.name for v in spec.variables],
            )
            for spec in specs
        ],
        default_locales=list(templates.default_locales()),
        # Every variable of the editable kinds once (a kind may add its own, e.g. promise_missed's promised_date).
        variables=[
            VariableOut(name=v.name, description=v.description, example=v.example)
            for v in {v.name: v for spec in specs for v in spec.variables}.values()
        ],
    )


@router.get("/templates/{key}", response_model=TemplateOut, responses=error_responses(NotFound, InvalidInput))
def get_template(key: str, session: SessionDep, account: AccountDep, locale: LocaleQuery = None) -> TemplateOut:
    view = template_service.get_template(session, account=account, key=key, locale=locale)
    return TemplateOut(**view.__dict__)


@router.put("/templates/{key}", response_model=TemplateOut, responses=error_responses(NotFound, InvalidInput))
def put_template(
    key: str,
    data: TemplateIn,
    session: SessionDep,
    account: AccountDep,
    settings: SettingsDep,
    clock: ClockDep,
    locale: LocaleQuery = None,
) -> TemplateOut:
    """Save the account's own text for a key and language; it is checked in the sandbox first."""
    row = template_service.save_template(
        session,
        account=account,
        key=key,
        locale=locale,
        subject=data.subject,
        body=data.body,
        settings=settings,
        clock=clock,
    )
    return TemplateOut(
        key=row.key, locale=row.locale, subject=row.subject, body=row.body, is_default=False, updated_at=row.updated_at
    )


@router.delete(
    "/templates/{key}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound, InvalidInput)
)
def reset_template(
    key: str, session: SessionDep, account: AccountDep, clock: ClockDep, locale: LocaleQuery = None
) -> Response:
    """Back to the default text for this key and language."""
    template_service.reset_template(session, account=account, key=key, locale=locale, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reminders/preview", response_model=PreviewOut, responses=error_responses(NotFound, InvalidInput))
def preview_reminder(
    data: PreviewIn, session: SessionDep, account: AccountDep, settings: SettingsDep, clock: ClockDep
) -> PreviewOut:
    """Render a template for an invoice (or a sample, or a planned reminder) exactly as it would be sent;
    nothing is sent or stored. A reminder's preview also says why it is planned the way it is."""
    reminder = None
    if data.reminder_id is not None:
        reminder = get_owned(session, Reminder, data.reminder_id, account.id, what="Reminder")
    # A planned reminder previews as it will go: with the tone chosen for the day it is sent.
    key = tone_when_sent(session, reminder=reminder, clock=clock) if reminder is not None else data.template_key
    if key is None:
        raise InvalidInput("template_key", "Give a template key, or a reminder_id to preview")
    draft = None
    if data.subject is not None or data.body is not None:
        current = template_service.get_template(session, account=account, key=key, locale=data.locale)
        draft = TemplateSource(subject=data.subject or current.subject, body=data.body or current.body)
    composed, late_fee = template_service.preview(
        session,
        account=account,
        key=key,
        invoice_id=reminder.invoice_id if reminder is not None else data.invoice_id,
        locale=data.locale,
        draft=draft,
        settings=settings,
        clock=clock,
        reminder=reminder,
    )
    email = composed.email
    return PreviewOut(
        template_key=key,
        locale=composed.locale,
        is_default_template=composed.is_default_template,
        to=email.to,
        from_=f"{email.from_name} <{email.from_email}>" if email.from_name else email.from_email,
        reply_to=email.reply_to,
        subject=email.subject,
        text=email.text,
        html=email.html_for_browser() or "",
        headers=email.headers,
        reminder_state=reminder.state if reminder is not None else None,
        reminder_reason=reminder_explanation(reminder) if reminder is not None else None,
        late_fee=None
        if late_fee is None
        else LateFeeOut(
            amount=format_amount(late_fee.amount_minor, late_fee.currency),
            currency=late_fee.currency,
            description=describe(late_fee),
        ),
    )


# --- messages and suppressions ------------------------------------------------------------------


@router.get("/invoices/{invoice_id}/messages", response_model=MessageList, responses=error_responses(NotFound))
def list_invoice_messages(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> MessageList:
    """Every email sent (or queued) for the invoice, with its delivery events."""
    rows = service.list_invoice_messages(session, account_id=principal.account_id, invoice_id=invoice_id)
    return MessageList(
        items=[
            MessageOut.model_validate(
                {
                    **{c: getattr(message, c) for c in MessageOut.model_fields if c != "events"},
                    "events": [MessageEventOut.model_validate(e) for e in events],
                }
            )
            for message, events in rows
        ]
    )


@router.get("/suppressions", response_model=SuppressionList)
def list_suppressions(session: SessionDep, principal: CurrentPrincipal) -> SuppressionList:
    """Addresses no email goes to: the account's (complaints) and global ones (hard bounces) of its clients."""
    rows = service.list_suppressions(session, account_id=principal.account_id)
    return SuppressionList(
        items=[
            SuppressionOut(
                id=row.id,
                email=row.email,
                reason=row.reason,
                detail=row.detail,
                scope="global" if row.account_id is None else "account",
                created_at=row.created_at,
            )
            for row in rows
        ]
    )


@router.delete(
    "/suppressions/{suppression_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound)
)
def delete_suppression(suppression_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.delete_suppression(session, account_id=principal.account_id, suppression_id=suppression_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- provider webhooks --------------------------------------------------------------------------

_basic = HTTPBasic(auto_error=False, description="The username and password set in Postmark's webhook URL")


class WebhookCredentialsRequired(Unauthorized):
    def __init__(self) -> None:
        DomainError.__init__(
            self, "Wrong or missing webhook credentials", headers={"WWW-Authenticate": 'Basic realm="webhooks"'}
        )


class UpstreamFailed(DomainError):
    status_code = 502
    error = "UpstreamFailed"


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _json_object(body: bytes) -> dict[str, Any]:
    return jsonbody.json_object(body)


@webhook_router.post(
    "/postmark", response_model=WebhookAck, responses=error_responses(Unauthorized, PermissionDenied, InvalidInput)
)
def postmark_webhook(
    body: Annotated[bytes, Depends(raw_body)],
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> WebhookAck:
    """Bounce, SpamComplaint and Delivery webhooks, authenticated with HTTP Basic credentials."""
    username, password = settings.postmark_webhook_username, settings.postmark_webhook_password
    if not username or not password:
        raise PermissionDenied("Postmark webhooks are not configured (DUESPARK_POSTMARK_WEBHOOK_USERNAME/_PASSWORD)")
    given_user = credentials.username.encode() if credentials else b""
    given_password = credentials.password.encode() if credentials else b""
    user_ok = secrets.compare_digest(given_user, username.encode())
    password_ok = secrets.compare_digest(given_password, password.encode())
    if not (user_ok and password_ok):
        raise WebhookCredentialsRequired()
    processed = webhooks.handle_postmark(session, payload=_json_object(body), clock=clock)
    return WebhookAck(status="processed" if processed else "duplicate")


@webhook_router.post(
    "/ses", response_model=WebhookAck, responses=error_responses(PermissionDenied, InvalidInput, UpstreamFailed)
)
def ses_webhook(
    body: Annotated[bytes, Depends(raw_body)],
    certificates: Annotated[sns.CertificateStore, Depends(sns.get_certificate_store)],
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> WebhookAck:
    """SNS notifications of SES events (Bounce, Complaint, Delivery) and subscription confirmations.

    The signature is checked before anything is read into the database; network calls (the
    certificate, the subscription confirmation) happen before the transaction starts.
    """
    try:
        envelope = _json_object(body)
        sns.verify(envelope, allowed_topics=settings.ses_sns_topic_arns, certificates=certificates, now=clock.now())
    except (sns.SnsRejected, InvalidInput) as exc:
        log.warning("email.webhook.ses_rejected", reason=str(exc))
        raise PermissionDenied(f"Not a valid SNS message: {exc}") from None
    if envelope["Type"] == "SubscriptionConfirmation":
        try:
            sns.confirm_subscription(envelope)
        except (httpx.HTTPError, sns.SnsRejected) as exc:
            raise UpstreamFailed(f"Could not confirm the SNS subscription: {exc}") from None
        log.info("email.webhook.ses_subscribed", topic=envelope.get("TopicArn"))
    processed = webhooks.handle_sns(session, envelope=envelope, clock=clock)
    return WebhookAck(status="processed" if processed else "duplicate")


# --- one-click unsubscribe ----------------------------------------------------------------------


def _language(client_locale: str | None, account_locale: str | None) -> str:
    return templates.locale_candidates(client_locale, account_locale)[0].split("_")[0]


def _invalid_link_page() -> HTMLResponse:
    return HTMLResponse(render_page(language="en", state="invalid"), status_code=status.HTTP_404_NOT_FOUND)


INVALID_LINK_RESPONSE: dict[int | str, dict[str, Any]] = {
    404: {"description": "The link is invalid or was forged (an HTML page)", "content": {"text/html": {}}}
}


@unsubscribe_router.get("/unsubscribe/{token}", response_class=HTMLResponse, responses=INVALID_LINK_RESPONSE)
def unsubscribe_page(token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """A page with one button; visiting it changes nothing (link scanners open every link)."""
    try:
        client, account = service.unsubscribe_target(session, token=token, settings=settings)
    except InvalidLink:
        return _invalid_link_page()
    language = _language(client.locale, account.locale)
    sender = account.sender_name or account.name
    if client.unsubscribed_at is not None:
        return HTMLResponse(render_page(language=language, state="done", sender=sender))
    return HTMLResponse(render_page(language=language, state="confirm", sender=sender, action=f"/unsubscribe/{token}"))


@unsubscribe_router.post("/unsubscribe/{token}", response_class=HTMLResponse, responses=INVALID_LINK_RESPONSE)
def unsubscribe(token: str, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> HTMLResponse:
    """RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` here, without sign-in or confirmation."""
    try:
        client, account = service.unsubscribe_target(session, token=token, settings=settings)
    except InvalidLink:
        return _invalid_link_page()
    service.unsubscribe_client(session, client=client, clock=clock)
    language = _language(client.locale, account.locale)
    return HTMLResponse(render_page(language=language, state="done", sender=account.sender_name or account.name))
