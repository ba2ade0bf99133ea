"""Users' own templates: list, read, save (checked in the sandbox first), reset, and preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.email import templates
from duespark.email.compose import (
    ComposedEmail,
    compose_invoice_email,
    invoice_variables,
    resolve_template,
    sample_invoice,
)
from duespark.email.templates import TemplateProblem, TemplateSource, TemplateSpec
from duespark.errors import InvalidInput, NotFound
from duespark.invoices.adjustments import LateFee
from duespark.models import Account, Client, EmailTemplate, Invoice, Reminder
from duespark.reminders import fees
from duespark.settings import Settings
from duespark.tenancy import get_owned


def editable_spec(key: str) -> TemplateSpec:
    spec = templates.REGISTRY.get(key)
    if spec is None or spec.audience != "client":
        raise NotFound("Template")
    return spec


def editable_specs() -> list[TemplateSpec]:
    return [spec for spec in templates.REGISTRY.values() if spec.audience == "client"]


def checked_locale(locale: str | None, account: Account) -> str:
    normalized = templates.normalize_locale(locale or account.locale)
    if normalized is None:
        raise InvalidInput("locale", "Use a language code such as en, de or pt_BR")
    return normalized


def overrides_by_key(session: Session, account_id: int) -> dict[str, list[EmailTemplate]]:
    result: dict[str, list[EmailTemplate]] = {}
    for row in session.scalars(
        select(EmailTemplate).where(EmailTemplate.account_id == account_id).order_by(EmailTemplate.locale)
    ):
        result.setdefault(row.key, []).append(row)
    return result


@dataclass(frozen=True)
class TemplateView:
    key: str
    locale: str
    subject: str
    body: str
    is_default: bool
    updated_at: datetime | None


def get_template(session: Session, *, account: Account, key: str, locale: str | None) -> TemplateView:
    """The template a client in `locale` would receive: the account's own, or the default it falls back to."""
    editable_spec(key)
    wanted = checked_locale(locale, account)
    resolved = resolve_template(
        session, account_id=account.id, key=key, locales=templates.locale_candidates(wanted, account.locale)
    )
    updated_at = None
    if not resolved.is_default:
        updated_at = session.scalar(
            select(EmailTemplate.updated_at).where(
                EmailTemplate.account_id == account.id,
                EmailTemplate.key == key,
                EmailTemplate.locale == resolved.locale,
            )
        )
    return TemplateView(
        key, resolved.locale, resolved.source.subject, resolved.source.body, resolved.is_default, updated_at
    )


# The dates a kind of email adds, for previews with a sample invoice: (variable, days from today).
SAMPLE_DATES = {"promise_missed": (("promised_date", -3),)}


def sample_extras(spec: TemplateSpec, invoice_values: dict) -> dict[str, str]:
    """Example values for the variables a kind of email adds to the invoice's (promise_missed: promised_date)."""
    return {v.name: v.example for v in spec.variables if v.name not in invoice_values}


def _problem_to_error(problem: TemplateProblem) -> InvalidInput:
    return InvalidInput(problem.field, problem.describe())


def check_template(
    *, account: Account, spec: TemplateSpec, source: TemplateSource, settings: Settings, clock: Clock
) -> None:
    """Render the template with a sample invoice; any problem becomes a 422 naming the field and line."""
    client, invoice = sample_invoice(account=account, template_key=spec.key, clock=clock)
    sample = invoice_variables(
        account=account, client=client, invoice=invoice, reminder_id=None, settings=settings, clock=clock, locale="en"
    )
    sample |= sample_extras(spec, sample)
    try:
        templates.validate(spec, source, sample)
    except TemplateProblem as problem:
        raise _problem_to_error(problem) from None


def save_template(
    session: Session,
    *,
    account: Account,
    key: str,
    locale: str | None,
    subject: str,
    body: str,
    settings: Settings,
    clock: Clock,
) -> EmailTemplate:
    spec = editable_spec(key)
    wanted = checked_locale(locale, account)
    source = TemplateSource(subject=subject, body=body)
    check_template(account=account, spec=spec, source=source, settings=settings, clock=clock)
    row = session.scalars(
        select(EmailTemplate).where(
            EmailTemplate.account_id == account.id, EmailTemplate.key == key, EmailTemplate.locale == wanted
        )
    ).first()
    now = clock.now()
    before = {"subject": row.subject if row else None, "body": row.body if row else None}
    if row is None:
        row = EmailTemplate(account_id=account.id, key=key, locale=wanted, created_at=now)
        session.add(row)
    row.subject = subject.strip()
    row.body = body
    row.updated_at = now
    session.flush()
    if edited := audit.diff(before, {"subject": row.subject, "body": row.body}):
        audit.record(
            session,
            account_id=account.id,
            action="template.changed",
            entity_type="template",
            entity_id=row.id,
            now=now,
            changes={"key": key, "locale": wanted, **edited},
        )
    return row


def reset_template(session: Session, *, account: Account, key: str, locale: str | None, clock: Clock) -> None:
    editable_spec(key)
    wanted = checked_locale(locale, account)
    row = session.scalars(
        select(EmailTemplate).where(
            EmailTemplate.account_id == account.id, EmailTemplate.key == key, EmailTemplate.locale == wanted
        )
    ).first()
    if row is None:
        raise NotFound("Custom template")
    audit.record(
        session,
        account_id=account.id,
        action="template.reset",
        entity_type="template",
        entity_id=row.id,
        now=clock.now(),
        changes={
            "key": key,
            "locale": wanted,
            "subject": {"before": row.subject, "after": None},
            "body": {"before": row.body, "after": None},
        },
    )
    session.delete(row)


def preview(
    session: Session,
    *,
    account: Account,
    key: str,
    invoice_id: int | None,
    locale: str | None,
    draft: TemplateSource | None,
    settings: Settings,
    clock: Clock,
    reminder: Reminder | None = None,
) -> tuple[ComposedEmail, LateFee | None]:
    """Exactly what would be sent for this invoice (or a sample one), optionally with unsaved text.

    For a planned `reminder` (of that invoice), with the late fee its step would add on its send day.
    """
    spec = editable_spec(key)
    late_fee = None
    if invoice_id is not None:
        invoice = get_owned(session, Invoice, invoice_id, account.id, what="Invoice")
        client = session.get(Client, invoice.client_id)
        assert client is not None
        if reminder is not None:
            planned = max(clock.now(), reminder.scheduled_for)
            on = fees.send_date(planned, client, account)
            late_fee = fees.fee_for_reminder(
                session, reminder=reminder, invoice=invoice, client=client, account=account, on=on
            )
    else:
        client, invoice = sample_invoice(account=account, template_key=key, clock=clock)
        client.locale = checked_locale(locale, account) if locale else None
    if draft is not None:
        check_template(account=account, spec=spec, source=draft, settings=settings, clock=clock)
    try:
        composed = compose_invoice_email(
            account=account,
            client=client,
            invoice=invoice,
            template_key=key,
            reminder_id=None,
            settings=settings,
            clock=clock,
            session=session,
            draft=draft,
            late_fee=late_fee,
            extra_dates={
                name: clock.now().date() + timedelta(days=offset) for name, offset in SAMPLE_DATES.get(key, ())
            },
        )
    except TemplateProblem as problem:
        raise _problem_to_error(problem) from None
    return composed, late_fee
