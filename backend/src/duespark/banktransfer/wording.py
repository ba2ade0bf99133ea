"""The words printed beside a transfer (email, pay page, portal, PDF), in the client's language."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "bank_transfer": "Bank transfer",
        "payee": "Payee",
        "iban": "IBAN",
        "bic": "BIC",
        "account_number": "Account number",
        "sort_code": "Sort code",
        "routing_number": "Routing number",
        "amount": "Amount",
        "reference": "Reference",
        "scan": "Scan with your banking app: it fills in the whole transfer.",
        "qr_alt": "QR code: bank transfer of {amount} to {payee}",
        "pay_by_transfer": "Pay by bank transfer",
    },
    "de": {
        "bank_transfer": "Überweisung",
        "payee": "Empfänger",
        "iban": "IBAN",
        "bic": "BIC",
        "account_number": "Kontonummer",
        "sort_code": "Sort Code",
        "routing_number": "Routing-Nummer",
        "amount": "Betrag",
        "reference": "Verwendungszweck",
        "scan": "Mit Ihrer Banking-App scannen: Sie füllt die ganze Überweisung aus.",
        "qr_alt": "QR-Code: Überweisung von {amount} an {payee}",
        "pay_by_transfer": "Per Überweisung bezahlen",
    },
    "fr": {
        "bank_transfer": "Virement bancaire",
        "payee": "Bénéficiaire",
        "iban": "IBAN",
        "bic": "BIC",
        "account_number": "Numéro de compte",
        "sort_code": "Sort code",
        "routing_number": "Numéro de routage",
        "amount": "Montant",
        "reference": "Référence",
        "scan": "Scannez avec votre application bancaire : elle remplit tout le virement.",
        "qr_alt": "Code QR : virement de {amount} à {payee}",
        "pay_by_transfer": "Payer par virement",
    },
    "es": {
        "bank_transfer": "Transferencia bancaria",
        "payee": "Beneficiario",
        "iban": "IBAN",
        "bic": "BIC",
        "account_number": "Número de cuenta",
        "sort_code": "Sort code",
        "routing_number": "Número de ruta",
        "amount": "Importe",
        "reference": "Concepto",
        "scan": "Escanee con la aplicación de su banco: rellena toda la transferencia.",
        "qr_alt": "Código QR: transferencia de {amount} a {payee}",
        "pay_by_transfer": "Pagar por transferencia",
    },
}


def labels(locale: str) -> dict[str, str]:
    """The labels in the locale's language ("de_AT" reads German), English when there are none."""
    return LABELS.get(locale.replace("-", "_").split("_")[0].lower(), LABELS["en"])
