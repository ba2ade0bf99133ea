"""The words DueSpark adds around a template (buttons, footer), by language, and the preheader."""

from __future__ import annotations

PREHEADER_CHARS = 140

# Words of the layout around the template (button, footer), by language; English for any other.
LAYOUT_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "pay_all": "View and pay all {count} invoices",
        "why_many": "You receive this email because {sender} sent you invoices {numbers}.",
        "pay": "Pay invoice {number}",
        "why": "You receive this email because {sender} sent you invoice {number}.",
        "unsubscribe": "Stop these reminders",
        "account": "You receive this email because of your DueSpark account.",
        "colon": ":",
        "fee_notice": "A late-payment charge of {fee} ({reason}) has been added to this invoice; "
        "the amount now due is {total}.",
        "fee_fixed": "fixed late-payment fee",
        "fee_percent": "{rate} of the unpaid {base}",
        "fee_interest": "interest at {rate} a year on {base} for {days} {day_word}",
        "day": "day",
        "days": "days",
    },
    "de": {
        "pay_all": "Alle {count} Rechnungen ansehen und bezahlen",
        "why_many": "Sie erhalten diese E-Mail, weil {sender} Ihnen die Rechnungen {numbers} gestellt hat.",
        "pay": "Rechnung {number} bezahlen",
        "why": "Sie erhalten diese E-Mail, weil {sender} Ihnen die Rechnung {number} gestellt hat.",
        "unsubscribe": "Keine weiteren Erinnerungen erhalten",
        "account": "Sie erhalten diese E-Mail wegen Ihres DueSpark-Kontos.",
        "colon": ":",
        "fee_notice": "Dieser Rechnung wurden Verzugskosten von {fee} ({reason}) hinzugefügt; "
        "der jetzt fällige Betrag beträgt {total}.",
        "fee_fixed": "Verzugspauschale",
        "fee_percent": "{rate} des offenen Betrags von {base}",
        "fee_interest": "Verzugszinsen von {rate} pro Jahr auf {base} für {days} {day_word}",
        "day": "Tag",
        "days": "Tage",
    },
    "fr": {
        "pay_all": "Voir et payer les {count} factures",
        "why_many": "Vous recevez cet e-mail car {sender} vous a adressé les factures {numbers}.",
        "pay": "Payer la facture {number}",
        "why": "Vous recevez cet e-mail car {sender} vous a adressé la facture {number}.",
        "unsubscribe": "Ne plus recevoir ces rappels",
        "account": "Vous recevez cet e-mail en raison de votre compte DueSpark.",
        "colon": "\u00a0:",
        "fee_notice": "Des frais de retard de {fee} ({reason}) ont été ajoutés à cette facture\u00a0; "
        "le montant désormais dû est de {total}.",
        "fee_fixed": "indemnité forfaitaire pour retard de paiement",
        "fee_percent": "{rate} du montant impayé de {base}",
        "fee_interest": "intérêts de retard au taux annuel de {rate} sur {base} pendant {days} {day_word}",
        "day": "jour",
        "days": "jours",
    },
    "es": {
        "pay_all": "Ver y pagar las {count} facturas",
        "why_many": "Recibe este correo porque {sender} le ha enviado las facturas {numbers}.",
        "pay": "Pagar la factura {number}",
        "why": "Recibe este correo porque {sender} le ha enviado la factura {number}.",
        "unsubscribe": "Dejar de recibir estos recordatorios",
        "account": "Recibe este correo por su cuenta de DueSpark.",
        "colon": ":",
        "fee_notice": "Se ha añadido a esta factura un recargo por demora de {fee} ({reason}); "
        "el importe pendiente es ahora de {total}.",
        "fee_fixed": "recargo fijo por demora",
        "fee_percent": "{rate} del importe impagado de {base}",
        "fee_interest": "intereses de demora del {rate} anual sobre {base} durante {days} {day_word}",
        "day": "día",
        "days": "días",
    },
}


def language(locale: str) -> str:
    return locale.split("_")[0]


def strings(locale: str) -> dict[str, str]:
    return LAYOUT_STRINGS.get(language(locale), LAYOUT_STRINGS["en"])


def why_line(locale: str, *, sender: str, numbers: list[str]) -> str:
    """The footer's reason for the email, singular for one invoice and plural for several."""
    words = strings(locale)
    if len(numbers) == 1:
        return words["why"].format(sender=sender, number=numbers[0])
    return words["why_many"].format(sender=sender, numbers=", ".join(numbers))


def preheader(text: str, limit: int = PREHEADER_CHARS) -> str:
    """What inboxes show next to the subject: the first paragraph after the greeting, shortened at a
    word boundary (with an ellipsis), starting with a capital letter since it is read as a sentence
    on its own (German text after "Guten Tag X," starts in lower case)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    source = paragraphs[1] if len(paragraphs) > 1 else (paragraphs[0] if paragraphs else "")
    flat = " ".join(source.split())
    if len(flat) > limit:
        cut = flat[: limit - 1]
        if flat[limit - 1] != " " and " " in cut:  # mid-word: back to the last whole word
            cut = cut[: cut.rindex(" ")]
        flat = cut.rstrip(" ,;:.-\u2013\u2014") + "…"
    return flat[:1].upper() + flat[1:]
