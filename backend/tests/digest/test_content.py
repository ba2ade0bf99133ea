"""The digest of a day of activity: its facts, and the email word for word, in each language."""

from __future__ import annotations

import pytest

from duespark.clock import FixedClock
from duespark.digest.compose import compose_digest
from duespark.digest.service import gather, local_date_of, member
from tests.digest.support import DIGEST_NOW, build_day


def render(session, settings, *, timezone="Europe/Berlin", locale="en"):
    day = build_day(session, FixedClock(DIGEST_NOW), timezone=timezone, locale=locale)
    recipient = member(session, account_id=day.account.id, user=day.user)
    today = local_date_of(DIGEST_NOW, recipient.timezone)
    facts = gather(
        session, account_id=day.account.id, user_id=day.user.id, timezone=recipient.timezone, local_date=today
    )
    email = compose_digest(facts, recipient, settings)
    links = {f"i{number[4:]}": invoice_id for number, invoice_id in day.ids.items()}
    return facts, email, links


ENGLISH = """\
Good morning Ada,

Here is what happened at Acme Studio yesterday, November 24, 2026, and what DueSpark plans for today.

Sent yesterday: 4 reminders (2 \u00d7 friendly, 2 \u00d7 firm).

Paid yesterday: €1,250.00 + £300.00 in 2 payments.

- Globex, INV-101 (http://testserver/invoices/{i101}): €1,250.00

- Initech, INV-301 (http://testserver/invoices/{i301}): £300.00

Failed or bounced: 2 emails.

- <script>alert(1)</script> GmbH, INV-201 (http://testserver/invoices/{i201}): bounced

- Initech, INV-302 (http://testserver/invoices/{i302}): could not be sent

Needs your attention: 5 items · Open Needs attention (http://testserver/attention)

Unanswered replies: 1

- Globex: Question about INV-102 (http://testserver/invoices/{i102})

Open disputes: 1

- <script>alert(1)</script> GmbH, INV-201 (http://testserver/invoices/{i201}): €990.00

Payments to confirm: 1

- Initech, INV-302 (http://testserver/invoices/{i302}): €100.00

Promised for today: 1

- Globex, INV-102 (http://testserver/invoices/{i102}): €400.00

Promises missed: 1

- Initech, INV-302 (http://testserver/invoices/{i302}): €100.00

Planned today: 3 reminders to 2 clients · See the reminders (http://testserver/reminders)

Open DueSpark (http://testserver/) · Turn off this email (http://testserver/settings?tab=profile)
"""

GERMAN = """\
Guten Morgen Ada,

hier ist, was bei Acme Studio gestern, am 24. November 2026, geschah und was DueSpark für heute plant.

Gestern verschickt: 4 Erinnerungen (2 \u00d7 freundlich, 2 \u00d7 bestimmt).

Gestern bezahlt: 1.250,00\xa0€ + 300,00\xa0£ in 2 Zahlungen.

- Globex, INV-101 (http://testserver/invoices/{i101}): 1.250,00\xa0€

- Initech, INV-301 (http://testserver/invoices/{i301}): 300,00\xa0£

Fehlgeschlagen oder unzustellbar: 2 E-Mails.

- <script>alert(1)</script> GmbH, INV-201 (http://testserver/invoices/{i201}): unzustellbar

- Initech, INV-302 (http://testserver/invoices/{i302}): konnte nicht gesendet werden

Braucht Ihre Aufmerksamkeit: 5 Punkte · Zu „Braucht Aufmerksamkeit“ (http://testserver/attention)

Unbeantwortete Kunden-E-Mails: 1

- Globex: Question about INV-102 (http://testserver/invoices/{i102})

Offene Einwände: 1

- <script>alert(1)</script> GmbH, INV-201 (http://testserver/invoices/{i201}): 990,00\xa0€

Zu bestätigende Zahlungen: 1

- Initech, INV-302 (http://testserver/invoices/{i302}): 100,00\xa0€

Für heute zugesagt: 1

- Globex, INV-102 (http://testserver/invoices/{i102}): 400,00\xa0€

Nicht eingehaltene Zusagen: 1

- Initech, INV-302 (http://testserver/invoices/{i302}): 100,00\xa0€

Heute geplant: 3 Erinnerungen an 2 Kunden · Erinnerungen ansehen (http://testserver/reminders)

DueSpark öffnen (http://testserver/) · Diese E-Mail abbestellen (http://testserver/settings?tab=profile)
"""


def test_facts_of_a_day(session, settings):
    facts, _, _ = render(session, settings)
    assert facts.sent_by_tone == {"friendly": 2, "firm": 2}
    assert facts.paid_totals == {"EUR": 125_000, "GBP": 30_000}
    assert [(i.invoice_number, i.amount_minor) for i in facts.paid.items] == [("INV-101", 125_000), ("INV-301", 30_000)]
    assert [(i.invoice_number, i.detail) for i in facts.failed.items] == [("INV-201", "bounced"), ("INV-302", "failed")]
    assert (facts.unanswered_replies.count, facts.open_disputes.count, facts.paid_claims.count) == (1, 1, 1)
    assert (facts.promises_due_today.count, facts.promises_missed.count) == (1, 1)
    assert (facts.planned_reminders, facts.planned_clients) == (3, 2)


def test_english_digest_word_for_word(session, settings):
    _, email, links = render(session, settings)
    assert email.subject == "DueSpark daily digest for Acme Studio: November 25, 2026"
    assert email.text == ENGLISH.format(**links)
    assert email.to.startswith("owner") and email.to.endswith("@acme.test")
    assert email.from_name == "DueSpark"


def test_other_accounts_data_is_never_included(session, settings):
    _, email, _ = render(session, settings)
    for word in ("Stranger", "OTHER-1", "7,777.00", "Other Co"):
        assert word not in email.text
        assert word not in (email.html or "")


def test_german_digest_word_for_word(session, settings):
    _, email, links = render(session, settings, locale="de")
    assert email.subject == "DueSpark-Tagesübersicht für Acme Studio: 25. November 2026"
    assert email.text == GERMAN.format(**links)
    assert '<html lang="de">' in (email.html or "")


@pytest.mark.parametrize(
    ("locale", "subject", "first_lines"),
    [
        (
            "fr",
            "Résumé quotidien DueSpark pour Acme Studio : 25 novembre 2026",
            "Bonjour Ada,\n\nVoici ce qui s'est passé chez Acme Studio hier, le 24 novembre 2026, et ce que DueSpark "
            "prévoit aujourd'hui.\n\nEnvoyé hier\xa0: 4 relances (2 \u00d7 cordiale, 2 \u00d7 ferme).\n\n"
            "Payé hier\xa0: "
            "1\u202f250,00\xa0€ + 300,00\xa0£GB en 2 paiements.",
        ),
        (
            "es",
            "Resumen diario de DueSpark para Acme Studio: 25 de noviembre de 2026",
            "Buenos días, Ada:\n\nEsto es lo que pasó en Acme Studio ayer, 24 de noviembre de 2026, y lo que DueSpark "
            "tiene previsto para hoy.\n\nEnviado ayer: 4 recordatorios (2 \u00d7 amable, 2 \u00d7 firme).\n\n"
            "Pagado ayer: "
            "1.250,00\xa0€ + 300,00\xa0GBP en 2 pagos.",
        ),
    ],
)
def test_french_and_spanish_render(session, settings, locale, subject, first_lines):
    _, email, _ = render(session, settings, locale=locale)
    assert email.subject == subject
    assert email.text[: len(first_lines)] == first_lines


def test_html_escapes_a_client_name_with_a_script(session, settings):
    _, email, links = render(session, settings)
    html = email.html or ""
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; GmbH, ") == 2
    link = f'<a href="http://testserver/invoices/{links["i201"]}" style="color:#1d4ed8;text-decoration:underline;">'
    assert f"&lt;script&gt;alert(1)&lt;/script&gt; GmbH, {link}INV-201</a>: bounced</li>" in html
