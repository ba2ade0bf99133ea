from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from typing import Annotated, Any, Literal

import httpx
import structlog
from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from sqlalchemy.orm import Session

from duespark import jsonbody
from duespark.clock import Clock
from duespark.db import SessionDep
from duespark.deps import ClockDep, CurrentPrincipal, SettingsDep
from duespark.email import sns
from duespark.email.router import UpstreamFailed, WebhookCredentialsRequired, raw_body
from duespark.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    Unauthorized,
    error_responses,
)
from duespark.inbound import service
from duespark.inbound.parsing import ParsedMail, UnreadableMail, parse_mime, parse_postmark
from duespark.inbound.s3 import InboundStore, InboundStoreUnavailable
from duespark.inbound.schemas import (
    AnsweredIn,
    AnswerIn,
    AnswerOut,
    AttachmentOut,
    InboundAck,
    ReplyList,
    ReplyOut,
    ReplySettings,
    ReplySettingsIn,
)
from duespark.models import Account, InboundMessage, Message
from duespark.ops.metrics import record_webhook
from duespark.settings import Settings
from duespark.tenancy import ObjectId
from duespark.webhooks import store_webhook_event

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/api", tags=["replies"], responses=error_responses(Unauthorized))
inbound_router = APIRouter(prefix="/api/inbound", tags=["webhooks"])

_basic = HTTPBasic(auto_error=False, description="The username and password set in the inbound webhook URL")
BasicDep = Annotated[HTTPBasicCredentials | None, Depends(_basic)]


def _require_inbound_credentials(credentials: HTTPBasicCredentials | None, settings: Settings) -> None:
    """Postmark's recommended authentication: HTTP Basic credentials in the webhook URL (also the relay's)."""
    username, password = settings.inbound_webhook_username, settings.inbound_webhook_password
    if not username or not password:
        raise PermissionDenied("Inbound email is not configured (DUESPARK_INBOUND_WEBHOOK_USERNAME/_PASSWORD)")
    user_ok = secrets.compare_digest(credentials.username.encode() if credentials else b"", username.encode())
    password_ok = secrets.compare_digest(credentials.password.encode() if credentials else b"", password.encode())
    if not (user_ok and password_ok):
        raise WebhookCredentialsRequired()


def _file(
    session: Session,
    *,
    source: str,
    external_id: str,
    mail: ParsedMail,
    settings: Settings,
    clock: Clock,
    mailbox_hash: str | None = None,
) -> InboundAck:
    """Inbox first (a provider's retry is a no-op), then file the mail once. The inbox keeps no content:
    the mail is personal data and lives only in the account's own table."""
    stored = store_webhook_event(
        session,
        source=source,
        external_id=external_id,
        type=mail.kind,
        payload={"size": mail.raw_size, "attachments": len(mail.attachments)},
        clock=clock,
    )
    if stored is None:
        record_webhook(source, "duplicate")
        return InboundAck(status="duplicate")
    row = service.receive(session, mail=mail, source=source, settings=settings, clock=clock, mailbox_hash=mailbox_hash)
    stored.processed_at = clock.now()
    if row is None:
        stored.error = "no reply address or thread of ours matched, or already filed"
        record_webhook(source, "ignored")
        return InboundAck(status="unmatched")
    record_webhook(source, "processed")
    return InboundAck(status="filed", id=row.id)


def _unreadable(exc: Exception) -> InvalidInput:
    return InvalidInput("body", f"Not an email we can read: {exc}")


@inbound_router.post(
    "/postmark", response_model=InboundAck, responses=error_responses(Unauthorized, PermissionDenied, InvalidInput)
)
def postmark_inbound(
    body: Annotated[bytes, Depends(raw_body)],
    credentials: BasicDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> InboundAck:
    """Postmark's inbound webhook (the JSON Postmark documents), authenticated with HTTP Basic credentials."""
    _require_inbound_credentials(credentials, settings)
    payload = jsonbody.json_object(body)
    try:
        mail = parse_postmark(payload, raw_size=len(body))
    except UnreadableMail as exc:
        raise _unreadable(exc) from None
    external_id = str(payload.get("MessageID") or hashlib.sha256(body).hexdigest())
    mailbox_hash = str(payload.get("MailboxHash") or "") or None
    return _file(
        session,
        source="postmark_inbound",
        external_id=external_id,
        mail=mail,
        settings=settings,
        clock=clock,
        mailbox_hash=mailbox_hash,
    )


@inbound_router.post(
    "/raw", response_model=InboundAck, responses=error_responses(Unauthorized, PermissionDenied, InvalidInput)
)
def raw_inbound(
    body: Annotated[bytes, Depends(raw_body)],
    credentials: BasicDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    rcpt: Annotated[list[str] | None, Query(max_length=20, description="The envelope recipients (RCPT TO)")] = None,
) -> InboundAck:
    """A raw RFC 5322 message (`message/rfc822` body) from any SMTP relay, with HTTP Basic credentials."""
    _require_inbound_credentials(credentials, settings)
    try:
        mail = parse_mime(body, envelope_recipients=[r[:320] for r in rcpt or []])
    except UnreadableMail as exc:
        raise _unreadable(exc) from None
    return _file(session, source="raw_inbound", external_id=mail.digest, mail=mail, settings=settings, clock=clock)


def get_inbound_store(settings: SettingsDep) -> InboundStore:
    """The configured inbound bucket; its boto3 client is made only when a notification needs it."""
    return InboundStore.from_settings(settings)


def _ses_content(notification: dict[str, Any], store: InboundStore) -> bytes:
    """The raw mail of an SES receipt rule: carried by its SNS action in the encoding the rule chose, or
    stored by its S3 action (mails over 150 KB) in the configured inbound bucket."""
    receipt = notification.get("receipt")
    action = receipt.get("action") if isinstance(receipt, dict) else None
    action = action if isinstance(action, dict) else {}
    if action.get("type") == "S3" and "content" not in notification:
        try:
            return store.fetch(action)
        except InboundStoreUnavailable as exc:
            log.warning("inbound.s3_unavailable", reason=str(exc))
            raise UpstreamFailed("Could not read the mail from the inbound bucket; SNS will retry") from None
    content = notification.get("content")
    if not isinstance(content, str):
        raise InvalidInput("content", "The notification carries no mail (an SNS action, or an S3 action)")
    encoding = str(action.get("encoding") or "UTF8")
    if encoding.upper() == "BASE64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content", "The content is not base64") from None
    return content.encode("utf-8", errors="surrogateescape")


@inbound_router.post(
    "/ses",
    response_model=InboundAck,
    responses=error_responses(PermissionDenied, InvalidInput, PayloadTooLarge, UpstreamFailed),
)
def ses_inbound(
    body: Annotated[bytes, Depends(raw_body)],
    certificates: Annotated[sns.CertificateStore, Depends(sns.get_certificate_store)],
    store: Annotated[InboundStore, Depends(get_inbound_store)],
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> InboundAck:
    """SES receiving through an SNS action, or an S3 action for large mails (read from the configured bucket
    only): the SNS signature is verified before anything is read or fetched."""
    try:
        envelope = jsonbody.json_object(body)
        sns.verify(envelope, allowed_topics=settings.inbound_sns_topic_arns, certificates=certificates, now=clock.now())
    except (sns.SnsRejected, InvalidInput) as exc:
        log.warning("inbound.ses_rejected", reason=str(exc))
        record_webhook("ses_inbound", "invalid_signature")
        raise PermissionDenied(f"Not a valid SNS message: {exc}") from None
    if envelope["Type"] == "SubscriptionConfirmation":
        try:
            sns.confirm_subscription(envelope)
        except (httpx.HTTPError, sns.SnsRejected) as exc:
            raise UpstreamFailed(f"Could not confirm the SNS subscription: {exc}") from None
        return InboundAck(status="unmatched")
    if envelope["Type"] != "Notification":
        return InboundAck(status="unmatched")
    notification = jsonbody.json_object(str(envelope.get("Message", "")).encode())
    if notification.get("notificationType") != "Received":
        return InboundAck(status="unmatched")
    recipients = [str(r)[:320] for r in (notification.get("receipt") or {}).get("recipients") or []]
    try:
        mail = parse_mime(_ses_content(notification, store), envelope_recipients=recipients)
    except UnreadableMail as exc:
        raise _unreadable(exc) from None
    return _file(
        session,
        source="ses_inbound",
        external_id=str(envelope.get("MessageId") or mail.digest),
        mail=mail,
        settings=settings,
        clock=clock,
    )


# --- the user's side ----------------------------------------------------------------------------


def _answer_out(message: Message | None) -> AnswerOut | None:
    if message is None:
        return None
    text = str((message.content or {}).get("text") or "")
    return AnswerOut(id=message.id, text=text, status=message.status, created_at=message.created_at)


def reply_out(row: InboundMessage, answer: Message | None = None) -> ReplyOut:
    return ReplyOut(
        id=row.id,
        kind=row.kind,
        invoice_id=row.invoice_id,
        invoice_ids=row.invoice_ids or [],
        client_id=row.client_id,
        from_email=row.from_email,
        from_name=row.from_name,
        subject=row.subject,
        text=row.text,
        html=row.html,
        attachments=[
            AttachmentOut(
                filename=a["filename"],
                content_type=a["content_type"],
                size=a["size"],
                inline=a["inline"],
                kept=a["kept"],
            )
            for a in row.attachments or []
        ],
        received_at=row.received_at,
        answered_at=row.answered_at,
        answer=_answer_out(answer),
    )


@router.get("/replies", response_model=ReplyList)
def list_replies(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[Literal["all", "unanswered"], Query(description="unanswered: for Needs attention")] = "all",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReplyList:
    """Clients' replies of the account, newest first (automatic replies are in the invoice's conversation)."""
    rows, total = service.list_replies(
        session, account_id=principal.account_id, unanswered=state == "unanswered", limit=limit, offset=offset
    )
    return ReplyList(items=[reply_out(row) for row in rows], total=total)


@router.get("/invoices/{invoice_id}/replies", response_model=ReplyList, responses=error_responses(NotFound))
def invoice_conversation(invoice_id: ObjectId, session: SessionDep, principal: CurrentPrincipal) -> ReplyList:
    """Every mail the client sent about the invoice, oldest first, each with the user's answer."""
    pairs = service.conversation(session, account_id=principal.account_id, invoice_id=invoice_id)
    return ReplyList(items=[reply_out(row, answer) for row, answer in pairs], total=len(pairs))


@router.post("/replies/{reply_id}/answered", response_model=ReplyOut, responses=error_responses(NotFound))
def mark_answered(
    reply_id: ObjectId, data: AnsweredIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ReplyOut:
    """Mark a reply answered (handled elsewhere, e.g. by phone), or unanswered again."""
    row = service.mark_answered(
        session, account_id=principal.account_id, reply_id=reply_id, answered=data.answered, clock=clock
    )
    return reply_out(row)


@router.post("/replies/{reply_id}/answer", response_model=ReplyOut, responses=error_responses(NotFound, Conflict))
def answer_reply(
    reply_id: ObjectId,
    data: AnswerIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    clock: ClockDep,
) -> ReplyOut:
    """Answer the client: sent by the outbox through the account's provider, threaded (In-Reply-To)."""
    row, message = service.answer(
        session, account_id=principal.account_id, reply_id=reply_id, text=data.text, settings=settings, clock=clock
    )
    return reply_out(row, message)


@router.get(
    "/replies/{reply_id}/attachments/{index}",
    response_class=Response,
    responses={**error_responses(NotFound), 200: {"content": {"application/octet-stream": {}}}},
)
def download_attachment(
    reply_id: ObjectId, index: Annotated[int, Path(ge=0, le=1000)], session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """A kept attachment, always as a download (never rendered in the app's origin)."""
    row = service.attachment_content(
        session, account_id=principal.account_id, reply_id=reply_id, attachment_index=index
    )
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in row.filename) or "attachment"
    return Response(
        content=row.content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _settings_out(account: Account, settings: Settings) -> ReplySettings:
    return ReplySettings(
        reply_hold_days=account.reply_hold_days,
        forward_replies=account.forward_replies,
        reply_address_enabled=bool(settings.inbound_domain),
    )


@router.get("/reply-settings", response_model=ReplySettings)
def get_reply_settings(session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> ReplySettings:
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    return _settings_out(account, settings)


@router.put("/reply-settings", response_model=ReplySettings, responses=error_responses(InvalidInput))
def put_reply_settings(
    data: ReplySettingsIn, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ReplySettings:
    account = session.get(Account, principal.account_id)
    if account is None:
        raise NotFound("Account")
    if data.reply_hold_days is not None:
        account.reply_hold_days = data.reply_hold_days
    if data.forward_replies is not None:
        account.forward_replies = data.forward_replies
    return _settings_out(account, settings)
