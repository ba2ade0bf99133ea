"""The email for claimed reminder rows: one reminder, or a statement for several, with the invoice's or the
statement's PDF where the step attaches it, addressed to the owner in test mode (the dispatcher sends it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager

import structlog
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.documents import attach
from duespark.documents.storage import Storage
from duespark.email.compose import TemplateCache, compose_reminder
from duespark.email.message import OutgoingEmail
from duespark.email.statement import compose_statement
from duespark.email.test_mode import as_test_email
from duespark.reminders.claims import Claimed
from duespark.reminders.dispatch_sql import message_id_for
from duespark.settings import Settings

log = structlog.get_logger(__name__)


@dataclasses.dataclass(frozen=True)
class ClaimedComposer:
    settings: Settings
    storage: Storage
    provider_name: str
    # Opens a read-only unit of work for the PDF lookup: the worker's own transaction, or the import
    # preview's session (inside its rolled-back savepoint), so the preview attaches exactly what is sent.
    documents: Callable[[], AbstractContextManager[Session]]
    clock: Clock

    def compose(self, items: list[Claimed], templates: TemplateCache) -> OutgoingEmail | None:
        """The email for claimed rows; in test mode addressed to the account's owner and marked.

        Several rows make one statement, with the first row's Message-ID: recovered after a crash
        and claimed together again, they resend with the same id."""
        item = items[0]
        document = self._document(items)
        note, attachments = (document.note, document.attachments) if document else (None, ())
        # The account's own templates override the defaults.
        if len(items) == 1:
            email = compose_reminder(
                templates=templates,
                account=item.account,
                client=item.client,
                invoice=item.invoice,
                template_key=item.reminder.template_key,
                reminder_id=item.reminder.id,
                settings=self.settings,
                clock=self.clock,
                late_fee=item.late_fee,
                note=note,
                attachments=attachments,
            )
        else:
            email = compose_statement(
                templates=templates,
                account=item.account,
                client=item.client,
                invoices=[(i.invoice, i.reminder.id) for i in items],
                settings=self.settings,
                clock=self.clock,
                late_fees={i.invoice.id: i.late_fee for i in items if i.late_fee is not None},
                steps=[i.reminder.template_key for i in items],
                note=note,
                attachments=attachments,
            )
        message_id = message_id_for(item.reminder.id, email.from_email, key=self.settings.signing_keys[0])
        email = dataclasses.replace(email, headers={**email.headers, "Message-ID": message_id})
        if item.account.test_mode:
            recipient = item.owner_email or item.account.sender_email
            if not recipient:
                return None
            return as_test_email(email, recipient=recipient, client_email=item.client.email)
        if not email.to:
            return None
        return email

    def _document(self, items: list[Claimed]) -> attach.EmailDocument | None:
        """The statement's PDF, or the invoice's when its step attaches it (else None). A PDF that cannot
        be read or drawn never holds the reminder back: it goes without, and the error is logged."""
        item = items[0]
        try:
            with self.documents() as session:
                if len(items) > 1:
                    return attach.for_statement(
                        session, self.storage, clock=self.clock, account=item.account, client=item.client
                    )
                if not attach.step_attaches(
                    session,
                    account_id=item.account.id,
                    client_id=item.client.id,
                    offset_days=item.reminder.offset_days,
                ):
                    return None
                return attach.for_invoice(
                    session,
                    self.storage,
                    settings=self.settings,
                    clock=self.clock,
                    account=item.account,
                    client=item.client,
                    invoice=item.invoice,
                    provider_name=self.provider_name,
                )
        except Exception:
            log.exception("reminder.document_failed", reminder_id=item.reminder.id)
            return None
