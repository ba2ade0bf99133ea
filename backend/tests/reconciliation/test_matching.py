"""Proposals and their explanations, word for word."""

from __future__ import annotations

from duespark.reconciliation.matching import Candidate, Matcher, Payment, names_match, normalise_name

INVOICES = [
    Candidate(1, "INV-1042", "EUR", 125_000, ("Acme GmbH", "Anna Acme")),
    Candidate(2, "INV-1043", "EUR", 90_000, ("Müller & Söhne KG",), references=("RF18539007547034",)),
    Candidate(3, "INV-1044", "EUR", 40_000, ("Globex Corp",)),
    Candidate(4, "INV-1045", "EUR", 40_000, ("Initech Ltd",)),
    Candidate(5, "INV-10421", "USD", 125_000, ("Acme GmbH",)),
    Candidate(6, "2026-7", "EUR", 7_700, ("Studio Lumière",), references=("Rechnung 2026-7 / Spark",)),
]
MATCHER = Matcher(INVOICES, settled=[("INV-0999", "paid"), ("INV-0998", "void")])


def _match(amount, *, payer=None, text=None, ref=None, currency="EUR"):
    outcome = MATCHER.match(Payment(amount, currency, payer, text, ref))
    p = outcome.proposal
    return (
        (p.invoice_number, p.confidence, p.level, p.apply_minor, p.unapplied_minor, p.explanation)
        if p
        else (
            None,
            outcome.explanation,
        )
    )


def test_reference_amount_and_payer_is_strong_and_says_all_three():
    assert _match(125_000, payer="ACME GMBH", text="Rechnung INV-1042 vielen Dank") == (
        "INV-1042",
        100,
        "strong",
        125_000,
        0,
        "reference INV-1042 in the remittance text; amount equals the balance; "
        "payer 'ACME GMBH' matches client 'Acme GmbH'",
    )


def test_reference_written_with_spaces_or_without_dash_still_matches_but_not_a_longer_number():
    assert _match(125_000, text="inv 1042")[:3] == ("INV-1042", 90, "strong")
    assert _match(125_000, text="INV1042")[:3] == ("INV-1042", 90, "strong")
    # INV-10421 is another invoice (in USD): a EUR payment for "INV-10421" is no reference to INV-1042.
    assert _match(1, text="INV-10421") == (None, "no open EUR invoice matches: no reference, amount or payer found")


def test_partial_payment_by_reference_with_umlaut_payer():
    assert _match(30_000, payer="Hans Mustermann", text="INV 1043 Teilzahlung") == (
        "INV-1043",
        60,
        "medium",
        30_000,
        0,
        "reference INV-1043 in the remittance text; partial payment: 300.00 of the balance 900.00 EUR",
    )
    assert _match(30_000, payer="MUELLER UND SOEHNE", text="INV 1043")[1::4] == (
        70,
        "reference INV-1043 in the remittance text; partial payment: 300.00 of the balance 900.00 EUR; "
        "payer 'MUELLER UND SOEHNE' matches client 'Müller & Söhne KG'",
    )


def test_rf_creditor_reference_and_transfer_reference():
    assert _match(90_000, ref="RF18539007547034") == (
        "INV-1043",
        90,
        "strong",
        90_000,
        0,
        "reference RF18539007547034 (INV-1043) in the creditor reference; amount equals the balance",
    )
    # Written in groups of four in the free text, as people type it.
    assert _match(90_000, text="RF18 5390 0754 7034")[0] == "INV-1043"
    assert _match(7_700, text="Rechnung 2026-7 / Spark")[5] == (
        "reference 2026-7 in the remittance text; amount equals the balance"
    )


def test_overpayment_applies_the_balance_and_leaves_the_rest():
    assert _match(130_000, text="INV-1042") == (
        "INV-1042",
        60,
        "medium",
        125_000,
        5_000,
        "reference INV-1042 in the remittance text; amount is more than the balance 1250.00 EUR: "
        "50.00 EUR would stay unapplied",
    )


def test_amount_alone_is_weak_and_two_equal_balances_are_a_choice():
    assert _match(125_000, payer="Someone") == (
        "INV-1042",
        30,
        "weak",
        125_000,
        0,
        "amount equals the balance",
    )
    assert _match(40_000) == (None, "amount equals the balance of 2 open invoices (INV-1044, INV-1045): choose one")
    # The payer's name decides between them.
    assert _match(40_000, payer="GLOBEX CORP.")[:3] == ("INV-1044", 40, "weak")


def test_other_currency_and_nothing_found():
    assert _match(125_000, currency="GBP") == (
        None,
        "no open GBP invoice matches: no reference, amount or payer found",
    )


def test_name_normalisation():
    assert normalise_name("Müller & Söhne GmbH") == "mueller soehne"
    assert normalise_name("Studio Lumière SARL") == "studio lumiere"
    assert names_match("MUELLER SOEHNE", "Müller & Söhne KG")
    assert names_match("ANNA BECKER ARCHITEKTUR", "Becker Architektur GmbH")
    assert names_match("Ruiz Consultore", "Ruiz Consultores")
    assert not names_match("Globex", "Initech Ltd")
    assert not names_match("", "Initech")


def test_a_transfer_naming_a_settled_invoice_is_not_proposed_for_another():
    assert _match(125_000, payer="ACME GMBH", text="Rechnung INV-0999") == (
        None,
        "reference INV-0999 in the remittance text, but INV-0999 is already paid",
    )
    # Naming an open invoice as well: the open one is the match.
    assert _match(125_000, text="INV-0999 and INV-1042")[0] == "INV-1042"
