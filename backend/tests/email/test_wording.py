"""What people read: statements in the tone of their step with one pay-all button, plural footers,
preheaders, the pay button's own colours, the test banner, and wording fixes, in all four languages."""

from __future__ import annotations

import email
import re
from email import policy

import pytest

from duespark.email import wording
from duespark.email.compose import compose_invoice_email
from duespark.email.mime import to_mime
from duespark.email.statement import statement_key
from duespark.email.test_mode import as_test_email
from duespark.models import Client
from duespark.payments.links import client_portal_url
from tests.email.test_headers import CLOCK, SETTINGS, _account, _client, _invoice, reminder, statement

LANGUAGES = ["en", "de", "fr", "es"]
FINAL_STATEMENT = {
    "en": ("Final notice: 2 overdue invoices, €5,439.00 outstanding", "This is my final reminder."),
    "de": ("Letzte Mahnung: 2 überfällige Rechnungen, 5.439,00 € offen", "Dies ist meine letzte Zahlungserinnerung."),
    "fr": ("Dernière relance : 2 factures échues, 5 439,00 € restant dus", "Ceci constitue ma dernière relance."),
    "es": ("Último aviso: 2 facturas vencidas, 5.439,00 € pendientes", "Este es mi último aviso."),
}
URGENT_STATEMENT = {
    "en": "Overdue: 2 invoices, €5,439.00 outstanding",
    "de": "Dringend: 2 überfällige Rechnungen, 5.439,00 € offen",
    "fr": "Urgent : 2 factures échues, 5 439,00 € à régler",
    "es": "Urgente: 2 facturas vencidas, 5.439,00 € pendientes",
}
PAY_ALL = {
    "en": "View and pay all 2 invoices",
    "de": "Alle 2 Rechnungen ansehen und bezahlen",
    "fr": "Voir et payer les 2 factures",
    "es": "Ver y pagar las 2 facturas",
}
FOOTER = {
    "en": "You receive this email because Ada Lovelace sent you invoices INV-1, INV-2.",
    "de": "Sie erhalten diese E-Mail, weil Ada Lovelace Ihnen die Rechnungen INV-1, INV-2 gestellt hat.",
    "fr": "Vous recevez cet e-mail car Ada Lovelace vous a adressé les factures INV-1, INV-2.",
    "es": "Recibe este correo porque Ada Lovelace le ha enviado las facturas INV-1, INV-2.",
}
BUTTON = re.compile(r'<a href="([^"]+)" target="_blank" style="([^"]*)">([^<]*)</a>')


def _html(message) -> str:
    parsed = email.message_from_bytes(bytes(to_mime(message)), policy=policy.default)
    return parsed.get_body(("html",)).get_content().replace("\r\n", "\n")


def _text(message) -> str:
    parsed = email.message_from_bytes(bytes(to_mime(message)), policy=policy.default)
    return parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _style(style: str) -> dict[str, str]:
    return dict(part.split(":", 1) for part in style.strip(";").split(";"))


def test_a_statement_takes_the_tone_of_its_strongest_step():
    assert statement_key(["firm", "firm"]) == "statement"
    assert statement_key(["firm", "urgent"]) == "statement_urgent"
    assert statement_key(["urgent", "final", "firm"]) == "statement_final"
    assert statement_key([]) == "statement"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_statement_at_the_final_step_is_a_final_notice_with_one_pay_all_button(language):
    message = statement(language, steps=("urgent", "final"))
    subject, sentence = FINAL_STATEMENT[language]
    assert message.subject == subject
    text = _text(message)
    assert sentence in text
    # The deadline is stated (a week from the day it is sent, 25 November 2026).
    deadline = {
        "en": "December 2, 2026",
        "de": "2. Dezember 2026",
        "fr": "2 décembre 2026",
        "es": "2 de diciembre de 2026",
    }
    assert deadline[language] in text
    portal = client_portal_url(SETTINGS, 5)
    buttons = BUTTON.findall(_html(message))
    assert [(href, label) for href, _, label in buttons] == [(portal, PAY_ALL[language])]
    assert f"{PAY_ALL[language]} ({portal})" in text
    urgent = statement(language, steps=("firm", "urgent"))
    assert urgent.subject == URGENT_STATEMENT[language]
    assert [label for _, _, label in BUTTON.findall(_html(urgent))] == [PAY_ALL[language]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_names_several_invoices_in_the_plural(language):
    text = _text(statement(language))
    assert f"--\n{FOOTER[language]}\n" in text
    assert FOOTER[language] in _html(statement(language))
    single = _text(reminder(language))
    assert {
        "en": "You receive this email because Ada Lovelace sent you invoice INV-1.",
        "de": "Sie erhalten diese E-Mail, weil Ada Lovelace Ihnen die Rechnung INV-1 gestellt hat.",
        "fr": "Vous recevez cet e-mail car Ada Lovelace vous a adressé la facture INV-1.",
        "es": "Recibe este correo porque Ada Lovelace le ha enviado la factura INV-1.",
    }[language] in single


def test_preheaders_end_at_a_word_and_start_with_a_capital():
    words = "laut meinen Unterlagen ist die folgende Rechnung überfällig " * 5
    cut = wording.preheader(f"Guten Tag Jordan,\n\n{words}\n")
    assert cut == (
        "Laut meinen Unterlagen ist die folgende Rechnung überfällig laut meinen Unterlagen ist die folgende "
        "Rechnung überfällig laut meinen…"
    )
    assert len(cut) <= 140
    assert wording.preheader("Hallo,\n\nkurz und gut.\n") == "Kurz und gut."


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preheader_of_every_email_is_whole_words(language):
    for message in (statement(language), reminder(language, "firm"), statement(language, steps=("final",))):
        html = _html(message)
        [preheader] = re.findall(r'<div style="display:none[^>]*>(.*?)</div>', html)
        assert preheader[0].isupper(), preheader
        if preheader.endswith("…"):
            body_words = set(re.findall(r"\w+", _text(message)))
            assert re.findall(r"\w+", preheader)[-1] in body_words


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pay_button_link_carries_its_own_background_and_a_contrasting_colour(language):
    [(_, style, label)] = BUTTON.findall(_html(reminder(language, "firm")))
    assert label == {"en": "Pay invoice INV-1", "de": "Rechnung INV-1 bezahlen", "fr": "Payer la facture INV-1"}.get(
        language, "Pagar la factura INV-1"
    )
    styles = _style(style)
    assert styles["background-color"] == "#1d4ed8"
    assert styles["color"] == "#ffffff"


def test_the_test_banner_is_inside_the_body_after_the_preheader():
    message = as_test_email(reminder("de", "firm"), recipient="ada@ada.test", client_email="jordan@globex.test")
    html = _html(message)
    assert html.startswith("<!DOCTYPE html>")
    body = html.index("<body")
    preheader = html.index('<div style="display:none')
    banner = html.index('<div role="note"')
    assert body < preheader < banner
    assert "so this reminder came to you instead of jordan@globex.test" in html[banner:]
    assert message.subject == "[TEST] Zahlungserinnerung: Rechnung INV-1 ist überfällig"
    assert _text(message).startswith("This is a test: DueSpark is in test mode")
    # An address is escaped in the banner like any other text.
    odd = as_test_email(reminder("en"), recipient="a@b.test", client_email="<b>x</b>@globex.test")
    assert "&lt;b&gt;x&lt;/b&gt;@globex.test" in _html(odd)


def test_bank_statement_words_are_gone_from_statements():
    subjects = {language: statement(language).subject for language in LANGUAGES}
    assert subjects["de"].startswith("Kontoübersicht:")
    assert subjects["es"].startswith("Estado de cuenta:")
    assert subjects["fr"].startswith("Relevé de compte\u00a0:") or subjects["fr"].startswith("Relevé de compte :")
    assert not any(word in subject for subject in subjects.values() for word in ("Kontoauszug", "Extracto"))


def test_english_final_notice_closes_with_kind_regards():
    text = _text(reminder("en", "final"))
    assert "\nKind regards,\nAda Lovelace\n" in text
    assert "Sincerely" not in text


def _enterprise(language: str) -> Client:
    client = _client(language)
    client.client_type = "enterprise"
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_enterprise_final_notice_threatens_no_jurisdiction_specific_remedies(language):
    message = compose_invoice_email(
        account=_account(language),
        client=_enterprise(language),
        invoice=_invoice("INV-1", 350_000),
        template_key="final",
        reminder_id=99,
        settings=SETTINGS,
        clock=CLOCK,
    ).email
    text = _text(message)
    for word in ("statutory", "gesetzlichen Ansprüche", "recours légaux", "acciones legales"):
        assert word not in text
    assert {
        "en": "where our agreement or the applicable law provides for them",
        "de": "soweit unsere Vereinbarung oder das anwendbare Recht sie vorsehen",
        "fr": "prévus par notre contrat ou par la loi applicable",
        "es": "que prevean nuestro acuerdo o la ley aplicable",
    }[language] in " ".join(text.split())


ENTERPRISE_THANKS = {
    "en": ("Payment received: invoice INV-1", "Yours sincerely,"),
    "de": ("Zahlungseingang: Rechnung INV-1", "Mit freundlichen Grüßen"),
    "fr": ("Paiement reçu : facture INV-1", "Veuillez agréer nos salutations distinguées,"),
    "es": ("Pago recibido: factura INV-1", "Atentamente,"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_enterprise_thank_yous_are_as_formal_as_their_reminders(language):
    invoice = _invoice("INV-1", 350_000)
    invoice.amount_paid_minor = 350_000
    invoice.status = "paid"
    formal = compose_invoice_email(
        account=_account(language),
        client=_enterprise(language),
        invoice=invoice,
        template_key="thank_you",
        reminder_id=None,
        settings=SETTINGS,
        clock=CLOCK,
    ).email
    subject, closing = ENTERPRISE_THANKS[language]
    assert formal.subject.replace("\u00a0", " ") == subject
    text = _text(formal)
    assert f"\n{closing}\nAda Lovelace\n" in text
    assert "!" not in text.split("--")[0]
    casual = compose_invoice_email(
        account=_account(language),
        client=_client(language),
        invoice=invoice,
        template_key="thank_you",
        reminder_id=None,
        settings=SETTINGS,
        clock=CLOCK,
    ).email
    assert casual.subject != formal.subject
