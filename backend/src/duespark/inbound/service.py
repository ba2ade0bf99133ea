"""Replies by email: file an inbound mail under its invoice (or statement), pause chasing, tell the user,
and let the user answer from DueSpark in the same thread.

A mail is matched by the signed reply address it was sent to (`reply+<token>@<inbound domain>`),
else by In-Reply-To/References naming the Message-ID of an email we sent. Nothing else in a mail
is trusted to say which account it belongs to. One mail is one row per account however often it
arrives (provider retries, two providers): the row is unique on (account, dedup key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duespark.clock import Clock, today_in
from duespark.email.compose import AUTOMATIC_HEADERS, from_address, new_message_id, sender_name
from duespark.email.message import OutgoingEmail
from duespark.email.reply_address import mac_matches, parse_token, reply_address, token_in_address
from duespark.email.service import delivery_target, is_suppressed, owner_email, queue_message
from duespark.email.webhooks import DeliveryEvent, apply_event
from duespark.errors import Conflict, NotFound
from duespark.inbound.forward import forward_attachments, forward_html
from duespark.inbound.parsing import ParsedMail, display_address
from duespark.invoices.service import lock_invoice
from duespark.models import Account, Client, InboundAttachment, InboundMessage, Invoice, Message, Reminder
from duespark.models.enums import InvoiceStatus
from duespark.ops.metrics import INBOUND_MESSAGES
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders.holds import place_hold
from duespark.settings import Settings
from duespark.tenancy import get_owned

log = structlog.get_logger(__name__)

OPEN_STATUSES = (InvoiceStatus.open, InvoiceStatus.partially_paid)


@dataclass(frozen=True)
class Target:
    account_id: int
    invoice_ids: list[int]
    client_id: int | None
    matched_by: str  # token | thread


def _statement_invoices(session: Session, lead: Reminder) -> list[int]:
    """Every invoice a statement stood for: the reminders sent in the same email as its lead one."""
    if lead.provider_message_id is None:
        return [lead.invoice_id]
    ids = session.scalars(
        select(Reminder.invoice_id)
        .where(Reminder.account_id == lead.account_id, Reminder.provider_message_id == lead.provider_message_id)
        .order_by(Reminder.id)
    ).all()
    return list(dict.fromkeys([lead.invoice_id, *ids]))


def _by_token(session: Session, settings: Settings, mail: ParsedMail, mailbox_hash: str | None) -> Target | None:
    tokens = [mailbox_hash] if mailbox_hash else []
    tokens += [t for address in mail.recipients if (t := token_in_address(settings, address))]
    for token in tokens:
        target = parse_token(token)
        if target is None:
            continue
        if target.kind == "i":
            invoice = session.get(Invoice, target.object_id)
            if invoice is not None and mac_matches(settings, target, account_id=invoice.account_id):
                return Target(invoice.account_id, [invoice.id], invoice.client_id, "token")
        else:
            lead = session.get(Reminder, target.object_id)
            if lead is not None and mac_matches(settings, target, account_id=lead.account_id):
                invoice_ids = _statement_invoices(session, lead)
                client_id = session.scalar(select(Invoice.client_id).where(Invoice.id == lead.invoice_id))
                return Target(lead.account_id, invoice_ids, client_id, "token")
        log.warning("inbound.token_rejected", kind=target.kind, object_id=target.object_id)
    return None


def _by_thread(session: Session, mail: ParsedMail) -> Target | None:
    """The newest email of ours the mail answers: a reminder, a statement, or the user's own answer."""
    ids = list(dict.fromkeys([*mail.in_reply_to, *reversed(mail.references)]))
    if not ids:
        return None
    message = session.scalars(
        select(Message)
        .where(Message.header_message_id.in_(ids), Message.invoice_id.is_not(None))
        .order_by(Message.id.desc())
    ).first()
    if message is None or message.invoice_id is None:
        return None
    invoice_ids = [message.invoice_id]
    if message.kind == "reminder" and message.reminder_id is not None:
        lead = session.get(Reminder, message.reminder_id)
        if lead is not None:
            invoice_ids = _statement_invoices(session, lead)
    return Target(message.account_id, invoice_ids, message.client_id, "thread")


def match(session: Session, settings: Settings, mail: ParsedMail, *, mailbox_hash: str | None = None) -> Target | None:
    return _by_token(session, settings, mail, mailbox_hash) or _by_thread(session, mail)


def dedup_key(mail: ParsedMail) -> str:
    """The Message-ID when there is one (the same mail through two providers), else the content's digest."""
    basis = f"id:{mail.message_id}" if mail.message_id else f"raw:{mail.digest}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _store(
    session: Session, *, mail: ParsedMail, target: Target, source: str, settings: Settings, clock: Clock
) -> InboundMessage | None:
    row = InboundMessage(
        account_id=target.account_id,
        client_id=target.client_id,
        invoice_id=target.invoice_ids[0] if target.invoice_ids else None,
        invoice_ids=target.invoice_ids,
        source=source,
        kind=mail.kind,
        matched_by=target.matched_by,
        message_id=mail.message_id,
        in_reply_to=" ".join(mail.in_reply_to) or None,
        references=" ".join(mail.references) or None,
        from_email=mail.from_email,
        from_name=mail.from_name,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "content_id": a.content_id,
                "inline": a.inline,
                "kept": a.size <= settings.inbound_attachment_keep_bytes,
            }
            for a in mail.attachments
        ],
        raw_size=mail.raw_size,
        dedup_key=dedup_key(mail),
        received_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same mail, already filed (another provider, a retry racing this one)
        return None
    for attachment in mail.attachments:
        keep = attachment.size <= settings.inbound_attachment_keep_bytes
        session.add(
            InboundAttachment(
                account_id=target.account_id,
                inbound_message_id=row.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                content=attachment.content if keep else None,
            )
        )
    return row


def _hold(session: Session, account: Account, invoice_ids: list[int], clock: Clock) -> None:
    """The reply's invoices wait `reply_hold_days`; a longer hold (a dispute, a promise) stays."""
    until = today_in(clock, account.timezone) + timedelta(days=account.reply_hold_days)
    for invoice_id in invoice_ids:
        try:
            invoice = lock_invoice(session, account_id=account.id, invoice_id=invoice_id)
        except NotFound:
            continue
        if invoice.status in OPEN_STATUSES:
            place_hold(session, invoice, kind="reply", until=until, clock=clock)


def _bounce(session: Session, mail: ParsedMail, clock: Clock) -> None:
    """A delivery report that came to the reply address: the bounce handling, with the returned email's row."""
    original = None
    if mail.bounced_message_id:
        original = session.scalars(select(Message).where(Message.header_message_id == mail.bounced_message_id)).first()
    for bounced in mail.bounced:
        hard = bounced.status.startswith("5")
        apply_event(
            session,
            provider=original.provider if original is not None else "inbound",
            provider_message_id=original.provider_message_id if original is not None else None,
            event=DeliveryEvent(
                "bounced" if hard else "soft_bounced",
                bounced.recipient,
                clock.now(),
                f"{bounced.status}: {bounced.diagnostic}".strip(": "),
            ),
            payload={"source": "inbound", "status": bounced.status, "diagnostic": bounced.diagnostic},
            clock=clock,
        )


def _invoice_numbers(session: Session, invoice_ids: list[int]) -> list[str]:
    return list(session.scalars(select(Invoice.number).where(Invoice.id.in_(invoice_ids)).order_by(Invoice.id)))


def _forward(session: Session, row: InboundMessage, account: Account, settings: Settings, clock: Clock) -> None:
    """A copy to the account's owner; answering it in their own mail program writes to the client."""
    to = owner_email(session, account.id)
    if not to:
        return
    numbers = ", ".join(_invoice_numbers(session, row.invoice_ids))
    link = f"{settings.public_url.rstrip('/')}/invoices/{row.invoice_id}"
    sender = display_address(row.from_name, row.from_email)
    files = "".join(f"\n- {a['filename']} ({a['size']} bytes)" for a in row.attachments)
    kept = session.scalars(
        select(InboundAttachment)
        .where(InboundAttachment.inbound_message_id == row.id, InboundAttachment.content.is_not(None))
        .order_by(InboundAttachment.id)
    ).all()
    text = (
        f"{sender} replied about invoice {numbers}.\n"
        f"Reminders for it wait {account.reply_hold_days} days.\n\n"
        f"Subject: {row.subject}\n\n{row.text}\n"
        + (f"\nAttachments:{files}\n" if files else "")
        + f"\nAnswer here (it goes to the client), or in DueSpark: {link}\n"
    )
    # Text only until now: an HTML part as the reply view shows it, and the files kept, within the limit
    # (the few bytes by which the final HTML's "(not attached)" marks differ are in the body's allowance).
    html_args = {"sender": sender, "numbers": numbers, "hold_days": account.reply_hold_days, "link": link}
    every = [a["filename"] for a in row.attachments]
    attachments = forward_attachments(
        kept,
        settings=settings,
        text_bytes=len(text.encode()),
        html_bytes=len(forward_html(row, attached=every, **html_args).encode()),
    )
    html = forward_html(row, attached=[a.file_name for a in attachments], **html_args)
    from_email = settings.email_from or from_address(settings, account)
    email = OutgoingEmail(
        to=to,
        from_email=from_email,
        from_name=f"{row.from_name or row.from_email} via DueSpark",
        subject=f"Reply about invoice {numbers}: {row.subject}"[:500],
        text=text,
        html=html,
        attachments=attachments,
        reply_to=sender,
        headers={"Message-ID": new_message_id(from_email), **AUTOMATIC_HEADERS},
        tag="reply_forward",
        metadata={"account_id": str(account.id), "inbound_message_id": str(row.id)},
    )
    message = queue_message(session, account_id=account.id, kind="reply_forward", to_email=to, email=email, clock=clock)
    row.forwarded_message_id = message.id


def receive(
    session: Session,
    *,
    mail: ParsedMail,
    source: str,
    settings: Settings,
    clock: Clock,
    mailbox_hash: str | None = None,
) -> InboundMessage | None:
    """File one inbound mail. None when it matches no invoice of ours, or was filed already."""
    target = match(session, settings, mail, mailbox_hash=mailbox_hash)
    if target is None:
        log.info("inbound.unmatched", source=source, kind=mail.kind)
        return None
    row = _store(session, mail=mail, target=target, source=source, settings=settings, clock=clock)
    if row is None:
        return None
    INBOUND_MESSAGES.labels(kind=mail.kind).inc()
    account = session.get(Account, target.account_id)
    assert account is not None  # the invoice's account: the foreign key holds it
    if mail.kind == "bounce":
        _bounce(session, mail, clock)
    elif mail.kind == "reply":
        # Before the hold, so a receiver hears of the reply before the reminders it cancels.
        outgoing_webhooks.client_replied(session, row, clock)
        _hold(session, account, target.invoice_ids, clock)
        if account.forward_replies:
            _forward(session, row, account, settings, clock)
    log.info("inbound.filed", id=row.id, kind=row.kind, matched_by=row.matched_by, account_id=row.account_id)
    return row


# --- what the user does with replies ------------------------------------------------------------


def _reply_filter(account_id: int, *, unanswered: bool) -> list:
    where = [InboundMessage.account_id == account_id, InboundMessage.kind == "reply"]
    if unanswered:
        where.append(InboundMessage.answered_at.is_(None))
    return where


def unanswered_count(session: Session, *, account_id: int) -> int:
    """Replies nobody answered or marked yet: part of the Needs attention count."""
    where = _reply_filter(account_id, unanswered=True)
    return session.scalar(select(func.count()).select_from(InboundMessage).where(*where)) or 0


def list_replies(
    session: Session, *, account_id: int, unanswered: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[InboundMessage], int]:
    """Replies of the account, newest first; `unanswered`: those nobody answered or marked yet."""
    where = _reply_filter(account_id, unanswered=unanswered)
    total = session.scalar(select(func.count()).select_from(InboundMessage).where(*where)) or 0
    rows = session.scalars(
        select(InboundMessage)
        .where(*where)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def conversation(session: Session, *, account_id: int, invoice_id: int) -> list[tuple[InboundMessage, Message | None]]:
    """Every mail the client sent about the invoice (a statement's reply too), oldest first, each with
    the user's answer."""
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    rows = session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.account_id == account_id,
            or_(InboundMessage.invoice_id == invoice_id, InboundMessage.client_id == invoice.client_id),
        )
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    # A statement's reply names several invoices in a JSON list (one client's): filtered here.
    mine = [row for row in rows if row.invoice_id == invoice_id or invoice_id in (row.invoice_ids or [])]
    answer_ids = [row.answer_message_id for row in mine if row.answer_message_id is not None]
    answers = (
        {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(answer_ids)))} if answer_ids else {}
    )
    return [(row, answers.get(row.answer_message_id or 0)) for row in mine]


def get_reply(session: Session, *, account_id: int, reply_id: int) -> InboundMessage:
    return get_owned(session, InboundMessage, reply_id, account_id, what="Reply")


def mark_answered(session: Session, *, account_id: int, reply_id: int, answered: bool, clock: Clock) -> InboundMessage:
    row = get_reply(session, account_id=account_id, reply_id=reply_id)
    row.answered_at = (row.answered_at or clock.now()) if answered else None
    return row


def _re(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:", "réf", "ref:")) else f"Re: {subject}"


def answer(
    session: Session, *, account_id: int, reply_id: int, text: str, settings: Settings, clock: Clock
) -> tuple[InboundMessage, Message]:
    """The user's answer, queued for the outbox: to the client, in the client's thread (In-Reply-To and
    References name the client's mail), with the same routed Reply-To, so their next answer comes back."""
    row = get_reply(session, account_id=account_id, reply_id=reply_id)
    if row.kind != "reply":
        raise Conflict("Only a client's reply can be answered, not an automatic one")
    account = session.get(Account, account_id)
    assert account is not None
    client = session.get(Client, row.client_id) if row.client_id is not None else None
    if is_suppressed(session, account_id, row.from_email):
        raise Conflict(f"{row.from_email} bounced or complained; no email goes to it")
    to, is_test = delivery_target(session, account=account, client_email=row.from_email)
    if not to:
        raise Conflict("The account has no address to send a test-mode answer to")
    from_email = from_address(settings, account)
    sender = sender_name(account)
    references = " ".join([*(row.references or "").split(), *([row.message_id] if row.message_id else [])][-20:])
    headers = {"Message-ID": new_message_id(from_email)}
    if row.message_id:
        headers["In-Reply-To"] = row.message_id
    if references:
        headers["References"] = references
    kind, object_id = ("s", None) if len(row.invoice_ids or []) > 1 else ("i", row.invoice_id)
    email = OutgoingEmail(
        to=to,
        from_email=from_email,
        from_name=sender,
        subject=_re(row.subject)[:500],
        text=text.strip() + "\n",
        reply_to=reply_address(
            settings,
            account_id=account_id,
            display_name=sender,
            fallback=account.sender_email,
            kind=kind if object_id else "i",
            object_id=object_id or row.invoice_id,
        ),
        headers=headers,
        tag="reply_answer",
        metadata={"account_id": str(account_id), "inbound_message_id": str(row.id)},
    )
    message = queue_message(
        session,
        account_id=account_id,
        kind="reply_answer",
        to_email=to,
        client_id=client.id if client is not None else None,
        invoice_id=row.invoice_id,
        email=email,
        is_test=is_test,
        clock=clock,
    )
    row.answer_message_id = message.id
    row.answered_at = clock.now()
    return row, message


def attachment_content(session: Session, *, account_id: int, reply_id: int, attachment_index: int) -> InboundAttachment:
    get_reply(session, account_id=account_id, reply_id=reply_id)
    rows = session.scalars(
        select(InboundAttachment)
        .where(InboundAttachment.account_id == account_id, InboundAttachment.inbound_message_id == reply_id)
        .order_by(InboundAttachment.id)
    ).all()
    if not 0 <= attachment_index < len(rows) or rows[attachment_index].content is None:
        raise NotFound("Attachment")
    return rows[attachment_index]
