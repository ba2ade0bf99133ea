"""The default templates and the sandbox, without a database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from duespark.clock import FixedClock
from duespark.email import templates
from duespark.email.compose import compose_invoice_email, invoice_variables, sample_invoice
from duespark.email.templates import TemplateProblem, TemplateSource, spec_for
from duespark.models import Account, Client, Invoice
from duespark.payments.links import invoice_id_from_token, reminder_id_from_marker
from duespark.settings import Settings

CLOCK = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
SETTINGS = Settings(
    env="test",
    secret_keys=["k" * 40],
    public_url="https://app.duespark.test",
    email_from="reminders@mail.duespark.test",
)
CLIENT_KEYS = ["friendly", "due_today", "firm", "urgent", "final", "thank_you"]


def _account(locale: str = "en", currency: str = "EUR", **fields) -> Account:
    values = {
        "id": 3,
        "name": "Ada Design",
        "sender_name": "Ada Lovelace",
        "sender_email": "ada@ada.test",
        "default_currency": currency,
        "timezone": "Europe/Berlin",
        "locale": locale,
        "payment_instructions": None,
        "test_mode": False,
        **fields,
    }
    return Account(**values)


def _invoice(currency: str, amount_minor: int, due: date, *, paid: int = 0) -> Invoice:
    return Invoice(
        id=11,
        account_id=3,
        client_id=5,
        number="2026-017",
        amount_minor=amount_minor,
        amount_paid_minor=paid,
        currency=currency,
        issue_date=date(2026, 11, 1),
        due_date=due,
        status="open",
    )


def _client(locale: str | None, name: str = "Jordan Miller") -> Client:
    return Client(id=5, account_id=3, name=name, company="Globex", email="jordan@globex.test", locale=locale)


def _compose(key: str, *, client: Client, invoice: Invoice, account: Account | None = None):
    return compose_invoice_email(
        account=account or _account(),
        client=client,
        invoice=invoice,
        template_key=key,
        reminder_id=99,
        settings=SETTINGS,
        clock=CLOCK,
    )


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("key", CLIENT_KEYS)
def test_every_default_template_renders_in_every_language(locale, key):
    client, invoice = sample_invoice(account=_account(locale), template_key=key, clock=CLOCK)
    composed = _compose(key, client=client, invoice=invoice, account=_account(locale))
    email = composed.email
    assert composed.locale == locale
    assert email.subject and "\n" not in email.subject and "{" not in email.subject
    assert "Jordan Miller" in email.text and "{{" not in email.text and "{%" not in email.text
    assert "INV-1042" in email.subject + email.text
    assert email.html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in email.html
    assert "Ada Lovelace" in email.text
    # The unsubscribe link is visible in both parts; reminders carry the payment link in both.
    assert "/unsubscribe/" in email.text and "/unsubscribe/" in email.html
    if key != "thank_you":
        assert email.text.count("/pay/") >= 1 and "/pay/" in email.html


@pytest.mark.parametrize(
    ("client_locale", "currency", "amount_minor", "expected_amount", "expected_date"),
    [
        ("de_DE", "EUR", 125_000, "1.250,00\xa0€", "2. Dezember 2026"),
        ("en_US", "USD", 125_000, "$1,250.00", "December 2, 2026"),
        ("en_US", "JPY", 125_000, "¥125,000", "December 2, 2026"),
        # No Japanese text: the English one, with numbers and dates in English too.
        ("ja_JP", "JPY", 5_000, "¥5,000", "December 2, 2026"),
        ("fr_FR", "EUR", 99_95, "99,95\xa0€", "2 décembre 2026"),
        ("es_ES", "USD", 1_000_000, "10.000,00\xa0US$", "2 de diciembre de 2026"),
    ],
)
def test_amounts_and_dates_follow_currency_and_client_locale(
    client_locale, currency, amount_minor, expected_amount, expected_date
):
    invoice = _invoice(currency, amount_minor, date(2026, 12, 2))
    email = _compose("friendly", client=_client(client_locale), invoice=invoice).email
    assert expected_amount in email.text
    assert expected_date in email.text
    assert expected_date in email.subject


def test_jpy_has_no_minor_unit_anywhere():
    invoice = _invoice("JPY", 5_000, date(2026, 11, 20))
    email = _compose("firm", client=_client("de_DE"), invoice=invoice).email
    assert "5.000\xa0¥" in email.text
    assert "5.000,00" not in email.text and "50,00" not in email.text


def test_locale_falls_back_from_client_to_account_to_english():
    invoice = _invoice("EUR", 10_000, date(2026, 12, 2))
    # Austrian German uses the German text with Austrian formatting.
    at = _compose("friendly", client=_client("de_AT"), invoice=invoice)
    assert at.locale == "de" and "Jänner" not in at.email.text and "Dezember" in at.email.text
    # A language without templates falls back to the account's language.
    nl = _compose("friendly", client=_client("nl_NL"), invoice=invoice, account=_account("fr"))
    assert nl.locale == "fr"
    # No client locale, no usable account locale: English.
    en = _compose("friendly", client=_client(None), invoice=invoice, account=_account("pt"))
    assert en.locale == "en"


def test_days_overdue_and_until_due_in_the_clients_timezone():
    invoice = _invoice("EUR", 10_000, date(2026, 11, 20))
    email = _compose("firm", client=_client("en"), invoice=invoice).email
    assert "now 5 days overdue" in email.text
    one_day = _invoice("EUR", 10_000, date(2026, 11, 24))
    assert "now 1 day overdue" in _compose("firm", client=_client("en"), invoice=one_day).email.text
    assert "seit 1 Tag überfällig" in _compose("firm", client=_client("de"), invoice=one_day).email.text


def test_headers_sender_and_tags():
    invoice = _invoice("EUR", 10_000, date(2026, 12, 2))
    email = _compose("urgent", client=_client("en"), invoice=invoice).email
    assert email.from_name == "Ada Lovelace"
    assert email.from_email == "reminders@mail.duespark.test"
    assert email.reply_to == "ada@ada.test"
    assert email.to == "jordan@globex.test"
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.duespark\.test>", email.headers["Message-ID"])
    https, mailto = email.headers["List-Unsubscribe"].split(", ")
    assert https.startswith("<https://app.duespark.test/unsubscribe/") and https.endswith(">")
    assert mailto.startswith("<mailto:ada@ada.test?subject=Unsubscribe%20")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.tag == "urgent"
    assert email.metadata == {"invoice_id": "11", "account_id": "3", "reminder_id": "99"}
    pay_link = re.search(r"https://app\.duespark\.test/pay/([\w.-]+)\?r=([\w.-]+)", email.text)
    assert pay_link is not None
    assert invoice_id_from_token(SETTINGS, pay_link.group(1)) == 11
    # The link carries which reminder it came from, signed so clicks are counted for that email.
    assert reminder_id_from_marker(SETTINGS, 11, pay_link.group(2)) == 99


def test_values_are_escaped_in_html_and_cannot_inject_markdown():
    hostile = "Evil <script>alert(1)</script> *bold* [click](javascript:alert(1)) &amp;"
    invoice = _invoice("EUR", 10_000, date(2026, 12, 2))
    email = _compose("friendly", client=_client("en", name=hostile), invoice=invoice).email
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "<em>" not in email.html and "<strong>bold" not in email.html
    assert 'href="javascript' not in email.html
    assert "&amp;amp;" in email.html
    # The text part shows the name exactly as written.
    assert hostile in email.text


def test_payment_instructions_keep_their_lines():
    invoice = _invoice("EUR", 10_000, date(2026, 12, 2))
    account = _account(payment_instructions="IBAN DE89 3704 0044 0532 0130 00\n    BIC COBADEFFXXX")
    email = _compose("friendly", client=_client("en"), invoice=invoice, account=account).email
    assert "IBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX" in email.text
    assert "IBAN DE89 3704 0044 0532 0130 00<br />\nBIC COBADEFFXXX" in email.html
    assert "<code>" not in email.html


SAMPLE = {v.name: v.example for v in templates.INVOICE_VARIABLES} | {"days_overdue": 3, "days_until_due": 0}


def _problem(subject: str, body: str) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        templates.validate(spec_for("firm"), TemplateSource(subject, body), SAMPLE)
    return caught.value


def test_unknown_variable_is_refused_with_its_line():
    problem = _problem("Hi", "Hello {{ client_name }},\n\nYou owe {{ amount_due }}.\n{{ secret_key }}\n")
    assert problem.field == "body"
    assert problem.describe() == "line 4: unknown variable 'secret_key'; see GET /api/templates for the list"


def test_syntax_error_is_refused_with_its_line():
    problem = _problem("Hi", "Hello\n\n{% if days_overdue > 1 %}\nlate\n")
    assert problem.field == "body" and problem.line == 4
    subject = _problem("Invoice {{ invoice_number ", "Body")
    assert subject.field == "subject" and subject.line == 1


def test_sandbox_refuses_escapes_and_resource_exhaustion():
    escape = _problem("Hi", "ok\n{{ client_name.__class__.__mro__[1].__subclasses__() }}\n")
    assert escape.line == 2 and "unsafe" in escape.message
    assert "too long" in _problem("Hi", "{{ client_name * 1000000 }}").message
    assert "too large" in _problem("Hi", "{{ 9 ** 99999 }}").message
    assert "exponent" in _problem("Hi", "{{ 1.5 ** 1000 }}").message
    assert _problem("Hi", "{% for i in range(10**7) %}x{% endfor %}").line == 1


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("a\n{% set x = client_name %}{{ x }}", 2, "{% set %} is not allowed"),
        ("a\nb\n{% macro m() %}{{ m() }}{% endmacro %}", 3, "{% macro %} is not allowed"),
        ("{% for a in range(9) %}\n{% for b in range(9) %}{% endfor %}{% endfor %}", 2, "loops inside loops"),
        ("{{ (9 ** 100) ** 100 }}", 1, "too large"),
        ("{{ (2 ** 100) * (2 ** 100) * (2 ** 100) }}", None, None),
        ("{% include 'x.html' %}", 1, "{% include %} is not allowed"),
    ],
)
def test_statements_that_could_loop_or_grow_are_refused(body, line, message):
    if message is None:  # within bounds: allowed
        templates.validate(spec_for("firm"), TemplateSource("Hi", body), SAMPLE)
        return
    problem = _problem("Hi", body)
    assert problem.line == line and message in problem.message


def test_template_over_50_kb_is_refused_with_the_line_where_it_crosses():
    body = ("A line of text, repeated.\n" * 3000)[: 60 * 1024]
    problem = _problem("Hi", body)
    assert problem.field == "body"
    assert problem.line == 50 * 1024 // len("A line of text, repeated.\n") + 1
    assert "50 KB" in problem.message


def test_safe_filter_does_not_bypass_escaping():
    source = TemplateSource("Hi", "{{ client_name|safe }} {{ client_name|e }}")
    parts = templates.render_parts(spec_for("firm"), source, {**SAMPLE, "client_name": "<b>x</b>"})
    assert "<b>" not in parts.html_body
    assert parts.text.strip().startswith("<b>x</b>")


def test_registry_can_grow_a_key_with_its_own_variables():
    spec = templates.TemplateSpec(
        "statement_test", "A test key", "client", (templates.Variable("invoice_count", "How many", "3"),)
    )
    templates.register(spec)
    try:
        parts = templates.render_parts(
            spec, TemplateSource("{{ invoice_count }} open", "You have {{ invoice_count }}."), {"invoice_count": 3}
        )
        assert parts.subject == "3 open"
        with pytest.raises(TemplateProblem):
            templates.render_parts(spec, TemplateSource("x", "{{ amount_due }}"), {"invoice_count": 3})
    finally:
        del templates.REGISTRY["statement_test"]


def test_every_documented_variable_is_provided():
    client, invoice = sample_invoice(account=_account(), template_key="firm", clock=CLOCK)
    provided = invoice_variables(
        account=_account(),
        client=client,
        invoice=invoice,
        reminder_id=None,
        settings=SETTINGS,
        clock=CLOCK,
        locale="en",
    )
    assert set(provided) == {v.name for v in templates.INVOICE_VARIABLES}


def test_markdown_to_text_writes_lists_and_links_readably():
    tokens = templates._MARKDOWN.parse(
        "Intro\n\n- one\n- [two](https://x.test)\n\n1. first\n2. second\n\n<https://y.test>\n"
    )
    text = templates.markdown_to_text(tokens)
    assert text == "Intro\n\n- one\n\n- two (https://x.test)\n\n1. first\n\n2. second\n\nhttps://y.test\n"
