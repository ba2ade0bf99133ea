"""The digest email: the day's facts worded in the member's language (templates/<lang>/daily_digest.md)."""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.digest.schemas import DigestPreview
from duespark.digest.service import DigestFacts, Item, Recipient, Section, gather, local_date_of, member
from duespark.email.compose import babel_locale, compose_account_notice
from duespark.email.message import OutgoingEmail
from duespark.email.templates import normalize_locale
from duespark.models import User
from duespark.money import format_for_people
from duespark.settings import Settings

KIND = "daily_digest"

# The tones of the reminders (their template) and what went wrong, by language; English for any other.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "friendly": "friendly",
        "due_today": "due today",
        "firm": "firm",
        "urgent": "urgent",
        "final": "final notice",
        "statement": "statement",
        "statement_urgent": "urgent statement",
        "statement_final": "final statement",
        "other": "other",
        "bounced": "bounced",
        "failed": "could not be sent",
    },
    "de": {
        "friendly": "freundlich",
        "due_today": "am Fälligkeitstag",
        "firm": "bestimmt",
        "urgent": "dringend",
        "final": "letzte Mahnung",
        "statement": "Sammelerinnerung",
        "statement_urgent": "dringende Sammelerinnerung",
        "statement_final": "letzte Sammelerinnerung",
        "other": "sonstige",
        "bounced": "unzustellbar",
        "failed": "konnte nicht gesendet werden",
    },
    "fr": {
        "friendly": "cordiale",
        "due_today": "à l'échéance",
        "firm": "ferme",
        "urgent": "urgente",
        "final": "mise en demeure",
        "statement": "relevé",
        "statement_urgent": "relevé urgent",
        "statement_final": "relevé final",
        "other": "autre",
        "bounced": "retourné",
        "failed": "n'a pas pu être envoyé",
    },
    "es": {
        "friendly": "amable",
        "due_today": "al vencimiento",
        "firm": "firme",
        "urgent": "urgente",
        "final": "aviso final",
        "statement": "extracto",
        "statement_urgent": "extracto urgente",
        "statement_final": "extracto final",
        "other": "otro",
        "bounced": "devuelto",
        "failed": "no se pudo enviar",
    },
}
TONE_ORDER = ("friendly", "due_today", "firm", "urgent", "final", "statement", "statement_urgent", "statement_final")


def words_for(locale: str) -> dict[str, str]:
    return WORDS.get(locale.split("_")[0], WORDS["en"])


def _links(settings: Settings) -> dict[str, str]:
    base = settings.public_url.rstrip("/")
    return {
        "app_link": f"{base}/",
        "attention_link": f"{base}/attention",
        "reminders_link": f"{base}/reminders",
        "settings_link": f"{base}/settings?tab=profile",
    }


def variables(facts: DigestFacts, recipient: Recipient, settings: Settings) -> dict[str, Any]:
    """The template's variables: counts, and each section's top items with formatted amounts and links."""
    # Dates and amounts in the language the text is in (one without a digest template reads English).
    wanted = normalize_locale(recipient.locale) or "en"
    locale = babel_locale(wanted if wanted.split("_")[0] in WORDS else "en")
    words = words_for(locale)
    links = _links(settings)
    base = settings.public_url.rstrip("/")

    def money(minor: int | None, currency: str | None) -> str:
        return format_for_people(minor, currency, locale) if minor is not None and currency else ""

    def link(item: Item) -> str:
        if item.invoice_id is not None:
            return f"{base}/invoices/{item.invoice_id}"
        return f"{base}/clients/{item.client_id}" if item.client_id is not None else links["attention_link"]

    def items(section: Section) -> list[dict[str, str]]:
        return [
            {
                "client": item.client_name,
                "invoice": item.invoice_number or "",
                "amount": money(item.amount_minor, item.currency),
                "what": words.get(item.detail or "", item.detail or ""),
                "link": link(item),
            }
            for item in section.items
        ]

    tones = sorted(facts.sent_by_tone.items(), key=lambda kv: _tone_rank(kv[0]))
    sections = {
        "replies": facts.unanswered_replies,
        "disputes": facts.open_disputes,
        "claims": facts.paid_claims,
        "promises_today": facts.promises_due_today,
        "promises_missed": facts.promises_missed,
        "paid": facts.paid,
        "failed": facts.failed,
    }
    return {
        "user_name": recipient.user.name,
        "account_name": recipient.account.name,
        "yesterday": format_date(facts.yesterday, format="long", locale=locale),
        "today": format_date(facts.local_date, format="long", locale=locale),
        "sent_count": facts.sent_total,
        "sent_tones": ", ".join(f"{count} \u00d7 {words.get(tone, words['other'])}" for tone, count in tones),
        "paid_total": " + ".join(money(minor, currency) for currency, minor in facts.paid_totals.items()),
        "attention_count": facts.attention_count,
        "planned_count": facts.planned_reminders,
        "planned_clients": facts.planned_clients,
        **{f"{name}_count": section.count for name, section in sections.items()},
        **{name: items(section) for name, section in sections.items()},
        **links,
    }


def _tone_rank(tone: str) -> int:
    return TONE_ORDER.index(tone) if tone in TONE_ORDER else len(TONE_ORDER)


def compose_digest(facts: DigestFacts, recipient: Recipient, settings: Settings) -> OutgoingEmail:
    """The text and HTML email; the caller sends nothing when `facts.is_empty`."""
    return compose_account_notice(
        user=recipient.user,
        account=recipient.account,
        template_key=KIND,
        variables=variables(facts, recipient, settings),
        settings=settings,
        locale=recipient.locale,
    )


def preview(session: Session, *, account_id: int, user: User, settings: Settings, clock: Clock) -> DigestPreview:
    """What the member's digest of their local today says (or would say at their hour)."""
    recipient = member(session, account_id=account_id, user=user)
    today = local_date_of(clock.now(), recipient.timezone)
    facts = gather(session, account_id=account_id, user_id=user.id, timezone=recipient.timezone, local_date=today)
    if facts.is_empty:
        return DigestPreview(local_date=today, empty=True, subject=None, text=None, html=None)
    email = compose_digest(facts, recipient, settings)
    return DigestPreview(local_date=today, empty=False, subject=email.subject, text=email.text, html=email.html)
