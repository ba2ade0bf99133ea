"""The late fee in the email: every default template and language says it once, in the client's
words and number format; a user's own template that ignores fees still tells the client."""

from __future__ import annotations

from datetime import date

import pytest

from duespark.email.compose import compose_invoice_email
from duespark.email.templates import TemplateSource
from duespark.invoices.adjustments import LateFee
from duespark.models import Client
from tests.email.test_templates import CLOCK, SETTINGS, _account, _client, _invoice

REMINDER_KEYS = ["friendly", "due_today", "firm", "urgent", "final"]
PERCENT_FEE = LateFee(3, 11, "d+7", 7, "percent", 6_250, "EUR", 125_000, rate_bp=500)
# 12 % a year on 1,250.00 for one day = 0.41
INTEREST_ONE_DAY = LateFee(3, 11, "d+7", 7, "daily_interest", 41, "EUR", 125_000, 1200, 1, date(2026, 11, 17))

NOTICES = {
    "en": "A late-payment charge of €62.50 (5% of the unpaid €1,250.00) has been added to this invoice; "
    "the amount now due is €1,312.50.",
    "de": "Dieser Rechnung wurden Verzugskosten von 62,50\xa0€ (5\xa0% des offenen Betrags von 1.250,00\xa0€) "
    "hinzugefügt; der jetzt fällige Betrag beträgt 1.312,50\xa0€.",
    "fr": "Des frais de retard de 62,50\xa0€ (5\xa0% du montant impayé de 1\u202f250,00\xa0€) ont été ajoutés "
    "à cette facture\xa0; le montant désormais dû est de 1\u202f312,50\xa0€.",
    "es": "Se ha añadido a esta factura un recargo por demora de 62,50\xa0€ (5\xa0% del importe impagado de "
    "1.250,00\xa0€); el importe pendiente es ahora de 1.312,50\xa0€.",
}


def compose(key: str, *, locale: str, late_fee: LateFee | None, client: Client | None = None, draft=None):
    return compose_invoice_email(
        account=_account(locale),
        client=client or _client(None),
        invoice=_invoice("EUR", 125_000, date(2026, 11, 18)),
        template_key=key,
        reminder_id=99,
        settings=SETTINGS,
        clock=CLOCK,
        late_fee=late_fee,
        draft=draft,
    ).email


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("key", REMINDER_KEYS)
@pytest.mark.parametrize("client_type", ["business", "enterprise"])  # enterprise: the professional wording
def test_every_reminder_says_the_fee_once_in_the_clients_language(locale, key, client_type):
    client = _client(None)
    client.client_type = client_type
    email = compose(key, locale=locale, late_fee=PERCENT_FEE, client=client)
    assert email.text.count(NOTICES[locale]) == 1, email.text
    assert email.html.count("62,50" if locale != "en" else "€62.50") >= 1
    without = compose(key, locale=locale, late_fee=None, client=client)
    assert NOTICES[locale][:20] not in without.text
    assert "312,50" not in without.text and "€1,312.50" not in without.text


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", "(interest at 12% a year on €1,250.00 for 1 day)"),
        ("de", "(Verzugszinsen von 12\xa0% pro Jahr auf 1.250,00\xa0€ für 1 Tag)"),
        ("fr", "(intérêts de retard au taux annuel de 12\xa0% sur 1\u202f250,00\xa0€ pendant 1 jour)"),
        ("es", "(intereses de demora del 12\xa0% anual sobre 1.250,00\xa0€ durante 1 día)"),
    ],
)
def test_interest_says_how_it_was_worked_out(locale, words):
    assert words in compose("firm", locale=locale, late_fee=INTEREST_ONE_DAY).text


def test_an_own_template_without_fee_variables_gets_the_notice_at_the_end():
    draft = TemplateSource("Invoice {{ invoice_number }}", "Please pay {{ amount_due }}.\n\nThanks, Ada\n")
    email = compose("firm", locale="en", late_fee=PERCENT_FEE, draft=draft)
    assert email.text.startswith("Please pay €1,312.50.\n\nThanks, Ada\n\n" + NOTICES["en"])
    # One that places the fee itself is left alone.
    own = TemplateSource("Invoice", "A fee of {{ late_fee }} ({{ late_fee_reason }}) is due too.\n")
    email = compose("firm", locale="en", late_fee=PERCENT_FEE, draft=own)
    assert email.text.startswith("A fee of €62.50 (5% of the unpaid €1,250.00) is due too.\n")
    assert "late-payment charge" not in email.text
    # Without a fee nothing is added.
    assert "late-payment" not in compose("firm", locale="en", late_fee=None, draft=draft).text
