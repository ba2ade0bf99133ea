"""Words of the public pages in the client's language (English, German, French, Spanish)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

DEFAULT_LANGUAGE = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "pay_title": "Pay invoice {number}",
        "amount_due": "Amount due",
        "due_date": "Due date",
        "issued": "Issued",
        "overdue": "Overdue",
        "pay_by_card": "Pay {amount} by card",
        "how_to_pay": "How to pay",
        "reference_hint": "Please use {number} as the payment reference.",
        "no_instructions": "Please contact {name} for payment details.",
        "email_sender": "Email {name} about paying",
        "email_subject": "Payment of invoice {number}",
        "email_body": "Hello,\n\nI would like to pay invoice {number} ({amount}). How can I pay?\n\n",
        "no_instructions_contact": (
            "{name} has not put payment details on this page. Email them and they will tell you how to pay."
        ),
        "questions": "Questions about this invoice?",
        "card_unavailable_contact": (
            "Card payment is unavailable right now. Email {name} below and they will tell you how else to pay."
        ),
        "canceled_contact": "The card payment was canceled. You can try again, or email {name} about paying.",
        "card_unavailable": "Card payment is unavailable right now. You can still pay with the details below.",
        "canceled": "The card payment was canceled. You can try again or pay with the details below.",
        "already_paid_title": "Already paid",
        "already_paid": "Invoice {number} was paid on {date}. Thank you!",
        "not_payable_title": "No longer payable",
        "not_payable": "Invoice {number} is no longer payable. If you have a question, please contact {name}.",
        "not_found_title": "Link not found",
        "not_found": "This link is not valid. Please check the link in your email or contact the sender.",
        "thanks_title": "Thank you!",
        "thanks_processing": "Your payment for invoice {number} is being confirmed. A confirmation email follows.",
        "thanks_paid": "Your payment for invoice {number} has been received. Thank you!",
        "portal_title": "Your invoices from {name}",
        "open_invoices": "Open invoices",
        "no_open": "You have no open invoices. Thank you!",
        "pay": "Pay",
        "history": "Payment history",
        "no_history": "No payments yet.",
        "receipt": "Receipt",
        "receipt_title": "Receipt {number}",
        "refund": "Refund",
        "date": "Date",
        "amount": "Amount",
        "method": "Method",
        "method_stripe": "Card",
        "method_manual": "Bank transfer",
        "method_other": "Other",
        "received_from": "Received from",
        "received_by": "Received by",
        "for_invoice": "For invoice",
        "balance": "Balance",
        "late_fees": "Late fees and interest",
        "paid_so_far": "Paid so far",
        "all_invoices": "All your invoices",
        "invoice_pdf": "Download the invoice (PDF)",
        "print_hint": "Use your browser's print function to save this receipt as PDF.",
        "powered": "Payments handled by DueSpark",
    },
    "de": {
        "invoice": "Rechnung",
        "pay_title": "Rechnung {number} bezahlen",
        "amount_due": "Offener Betrag",
        "due_date": "Fällig am",
        "issued": "Ausgestellt",
        "overdue": "Überfällig",
        "pay_by_card": "{amount} mit Karte bezahlen",
        "how_to_pay": "So bezahlen Sie",
        "reference_hint": "Bitte geben Sie {number} als Verwendungszweck an.",
        "no_instructions": "Bitte wenden Sie sich für die Zahlungsdaten an {name}.",
        "email_sender": "E-Mail an {name} zur Zahlung",
        "email_subject": "Zahlung der Rechnung {number}",
        "email_body": "Guten Tag,\n\nich möchte die Rechnung {number} ({amount}) bezahlen. Wie kann ich bezahlen?\n\n",
        "no_instructions_contact": (
            "{name} hat hier keine Zahlungsdaten hinterlegt. Schreiben Sie "
            "eine E-Mail, dann erfahren Sie, wie Sie bezahlen können."
        ),
        "questions": "Fragen zu dieser Rechnung?",
        "card_unavailable_contact": (
            "Kartenzahlung ist gerade nicht möglich. Schreiben Sie {name} unten eine E-Mail, um die Zahlung zu klären."
        ),
        "canceled_contact": (
            "Die Kartenzahlung wurde abgebrochen. Versuchen Sie es erneut oder schreiben Sie {name} wegen der Zahlung."
        ),
        "card_unavailable": "Kartenzahlung ist gerade nicht möglich. Sie können mit den Angaben unten bezahlen.",
        "canceled": "Die Kartenzahlung wurde abgebrochen. Versuchen Sie es erneut oder nutzen Sie die Angaben unten.",
        "already_paid_title": "Bereits bezahlt",
        "already_paid": "Rechnung {number} wurde am {date} bezahlt. Vielen Dank!",
        "not_payable_title": "Nicht mehr zahlbar",
        "not_payable": "Rechnung {number} kann nicht mehr bezahlt werden. Bei Fragen wenden Sie sich an {name}.",
        "not_found_title": "Link nicht gefunden",
        "not_found": "Dieser Link ist ungültig. Bitte prüfen Sie den Link in Ihrer E-Mail.",
        "thanks_title": "Vielen Dank!",
        "thanks_processing": "Ihre Zahlung für Rechnung {number} wird bestätigt. Eine Bestätigung folgt per E-Mail.",
        "thanks_paid": "Ihre Zahlung für Rechnung {number} ist eingegangen. Vielen Dank!",
        "portal_title": "Ihre Rechnungen von {name}",
        "open_invoices": "Offene Rechnungen",
        "no_open": "Sie haben keine offenen Rechnungen. Vielen Dank!",
        "pay": "Bezahlen",
        "history": "Zahlungsverlauf",
        "no_history": "Noch keine Zahlungen.",
        "receipt": "Quittung",
        "receipt_title": "Quittung {number}",
        "refund": "Erstattung",
        "date": "Datum",
        "amount": "Betrag",
        "method": "Zahlungsart",
        "method_stripe": "Karte",
        "method_manual": "Überweisung",
        "method_other": "Sonstige",
        "received_from": "Erhalten von",
        "received_by": "Empfangen von",
        "for_invoice": "Für Rechnung",
        "balance": "Restbetrag",
        "late_fees": "Verzugskosten und -zinsen",
        "paid_so_far": "Bereits bezahlt",
        "all_invoices": "Alle Ihre Rechnungen",
        "invoice_pdf": "Rechnung herunterladen (PDF)",
        "print_hint": "Mit der Druckfunktion Ihres Browsers speichern Sie diese Quittung als PDF.",
        "powered": "Zahlungsabwicklung mit DueSpark",
    },
    "fr": {
        "invoice": "Facture",
        "pay_title": "Payer la facture {number}",
        "amount_due": "Montant dû",
        "due_date": "Échéance",
        "issued": "Émise le",
        "overdue": "En retard",
        "pay_by_card": "Payer {amount} par carte",
        "how_to_pay": "Comment payer",
        "reference_hint": "Merci d'indiquer {number} comme référence de paiement.",
        "no_instructions": "Veuillez contacter {name} pour les coordonnées de paiement.",
        "email_sender": "Écrire à {name} pour payer",
        "email_subject": "Paiement de la facture {number}",
        "email_body": "Bonjour,\n\nJe souhaite régler la facture {number} ({amount}). Comment puis-je payer ?\n\n",
        "no_instructions_contact": (
            "{name} n'a pas indiqué de coordonnées de paiement sur cette "
            "page. Écrivez à {name}, qui vous indiquera comment payer."
        ),
        "questions": "Une question sur cette facture ?",
        "card_unavailable_contact": (
            "Le paiement par carte est indisponible. Écrivez à {name} "
            "ci-dessous pour convenir d'un autre moyen de paiement."
        ),
        "canceled_contact": "Le paiement par carte a été annulé. Vous pouvez réessayer ou écrire à {name} pour payer.",
        "card_unavailable": "Le paiement par carte est indisponible. Vous pouvez payer avec les informations ci-après.",
        "canceled": "Le paiement par carte a été annulé. Réessayez ou payez avec les informations ci-dessous.",
        "already_paid_title": "Déjà payée",
        "already_paid": "La facture {number} a été payée le {date}. Merci !",
        "not_payable_title": "Plus payable",
        "not_payable": "La facture {number} n'est plus payable. Pour toute question, contactez {name}.",
        "not_found_title": "Lien introuvable",
        "not_found": "Ce lien n'est pas valide. Vérifiez le lien de votre e-mail ou contactez l'expéditeur.",
        "thanks_title": "Merci !",
        "thanks_processing": "Votre paiement de la facture {number} est en cours de confirmation. Un e-mail suivra.",
        "thanks_paid": "Votre paiement de la facture {number} a bien été reçu. Merci !",
        "portal_title": "Vos factures de {name}",
        "open_invoices": "Factures ouvertes",
        "no_open": "Vous n'avez aucune facture ouverte. Merci !",
        "pay": "Payer",
        "history": "Historique des paiements",
        "no_history": "Aucun paiement pour l'instant.",
        "receipt": "Reçu",
        "receipt_title": "Reçu {number}",
        "refund": "Remboursement",
        "date": "Date",
        "amount": "Montant",
        "method": "Moyen",
        "method_stripe": "Carte",
        "method_manual": "Virement",
        "method_other": "Autre",
        "received_from": "Reçu de",
        "received_by": "Reçu par",
        "for_invoice": "Pour la facture",
        "balance": "Solde",
        "late_fees": "Frais et intérêts de retard",
        "paid_so_far": "Déjà payé",
        "all_invoices": "Toutes vos factures",
        "invoice_pdf": "Télécharger la facture (PDF)",
        "print_hint": "Utilisez la fonction d'impression de votre navigateur pour enregistrer ce reçu en PDF.",
        "powered": "Paiements gérés par DueSpark",
    },
    "es": {
        "invoice": "Factura",
        "pay_title": "Pagar la factura {number}",
        "amount_due": "Importe pendiente",
        "due_date": "Vencimiento",
        "issued": "Emitida",
        "overdue": "Vencida",
        "pay_by_card": "Pagar {amount} con tarjeta",
        "how_to_pay": "Cómo pagar",
        "reference_hint": "Indique {number} como referencia del pago.",
        "no_instructions": "Contacte con {name} para obtener los datos de pago.",
        "email_sender": "Escribir a {name} sobre el pago",
        "email_subject": "Pago de la factura {number}",
        "email_body": "Hola:\n\nQuisiera pagar la factura {number} ({amount}). ¿Cómo puedo pagar?\n\n",
        "no_instructions_contact": (
            "{name} no ha indicado datos de pago en esta página. Escríbale y le dirá cómo pagar."
        ),
        "questions": "¿Preguntas sobre esta factura?",
        "card_unavailable_contact": (
            "El pago con tarjeta no está disponible ahora. Escriba a {name} más abajo para acordar otra forma de pago."
        ),
        "canceled_contact": (
            "El pago con tarjeta se canceló. Puede intentarlo de nuevo o escribir a {name} sobre el pago."
        ),
        "card_unavailable": "El pago con tarjeta no está disponible ahora. Puede pagar con los datos siguientes.",
        "canceled": "Se canceló el pago con tarjeta. Puede intentarlo de nuevo o pagar con los datos siguientes.",
        "already_paid_title": "Ya pagada",
        "already_paid": "La factura {number} se pagó el {date}. ¡Gracias!",
        "not_payable_title": "Ya no se puede pagar",
        "not_payable": "La factura {number} ya no se puede pagar. Si tiene preguntas, contacte con {name}.",
        "not_found_title": "Enlace no encontrado",
        "not_found": "Este enlace no es válido. Compruebe el enlace de su correo o contacte con el remitente.",
        "thanks_title": "¡Gracias!",
        "thanks_processing": "Su pago de la factura {number} se está confirmando. Recibirá un correo de confirmación.",
        "thanks_paid": "Hemos recibido su pago de la factura {number}. ¡Gracias!",
        "portal_title": "Sus facturas de {name}",
        "open_invoices": "Facturas pendientes",
        "no_open": "No tiene facturas pendientes. ¡Gracias!",
        "pay": "Pagar",
        "history": "Historial de pagos",
        "no_history": "Todavía no hay pagos.",
        "receipt": "Recibo",
        "receipt_title": "Recibo {number}",
        "refund": "Reembolso",
        "date": "Fecha",
        "amount": "Importe",
        "method": "Método",
        "method_stripe": "Tarjeta",
        "method_manual": "Transferencia",
        "method_other": "Otro",
        "received_from": "Recibido de",
        "received_by": "Recibido por",
        "for_invoice": "Por la factura",
        "balance": "Saldo",
        "late_fees": "Recargos e intereses de demora",
        "paid_so_far": "Pagado hasta ahora",
        "all_invoices": "Todas sus facturas",
        "invoice_pdf": "Descargar la factura (PDF)",
        "print_hint": "Use la función de imprimir de su navegador para guardar este recibo en PDF.",
        "powered": "Pagos gestionados con DueSpark",
    },
}


# The client's answers on the pay page (answers/): promise a date, ask or dispute, say it is paid.
ANSWER_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "answers_title": "Can't pay right now, or is something not right?",
        "promise_heading": "Promise to pay by a date",
        "promise_help": (
            "Choose the day you will pay by, at most {days} days from today. {name} sends no reminders until then."
        ),
        "promised_date_label": "I will pay by",
        "promise_submit": "Promise this date",
        "dispute_heading": "Ask a question or dispute this invoice",
        "dispute_help": "Tell {name} what is wrong or what you would like to know. Reminders stop until they answer.",
        "message_label": "Your message",
        "disputed_amount_label": "Amount in question (optional)",
        "dispute_submit": "Send to {name}",
        "paid_heading": "I have already paid",
        "paid_help": "Tell {name} when you paid and the payment reference, so they can find your payment.",
        "paid_on_label": "Paid on",
        "reference_label": "Payment reference (optional)",
        "note_label": "Note (optional)",
        "paid_submit": "Let {name} know",
        "answered_promise": "Thank you. You promised to pay by {date}; no reminders will be sent until then.",
        "answered_dispute": "Your message was sent to {name}. Reminders are paused until they have answered.",
        "answered_paid_claim": "Thank you. You told {name} you paid on {date}; they will check for your payment.",
        "answer_error": "Please check the form below.",
        "error_promised_date": "Please choose a date from today to {latest}.",
        "error_message": "Please write your message (at most 2,000 characters).",
        "error_disputed_amount": "Please enter the amount as a number, e.g. 120.50, at most the invoice amount.",
        "error_paid_on": "Please enter the day you paid: not in the future, and within the last year.",
        "error_reference": "Please keep the reference under 200 characters.",
        "answer_link": "Promise a date, ask a question, or tell us you paid",
    },
    "de": {
        "answers_title": "Sie können gerade nicht zahlen, oder etwas stimmt nicht?",
        "promise_heading": "Zahlung bis zu einem Datum zusagen",
        "promise_help": (
            "Wählen Sie den Tag, bis zu dem Sie zahlen, höchstens {days} Tage ab heute. {name} sendet bis "
            "dahin keine Erinnerungen."
        ),
        "promised_date_label": "Ich zahle bis zum",
        "promise_submit": "Datum zusagen",
        "dispute_heading": "Frage stellen oder Rechnung beanstanden",
        "dispute_help": (
            "Schreiben Sie {name}, was nicht stimmt oder was Sie wissen möchten. Bis zur Antwort werden "
            "keine Erinnerungen gesendet."
        ),
        "message_label": "Ihre Nachricht",
        "disputed_amount_label": "Betroffener Betrag (optional)",
        "dispute_submit": "An {name} senden",
        "paid_heading": "Ich habe bereits bezahlt",
        "paid_help": (
            "Teilen Sie {name} mit, wann Sie gezahlt haben und mit welchem Verwendungszweck, damit die "
            "Zahlung zugeordnet werden kann."
        ),
        "paid_on_label": "Bezahlt am",
        "reference_label": "Verwendungszweck (optional)",
        "note_label": "Anmerkung (optional)",
        "paid_submit": "{name} Bescheid geben",
        "answered_promise": (
            "Vielen Dank. Sie haben die Zahlung bis zum {date} zugesagt; bis dahin werden keine Erinnerungen gesendet."
        ),
        "answered_dispute": (
            "Ihre Nachricht wurde an {name} gesendet. Bis zur Antwort werden keine Erinnerungen gesendet."
        ),
        "answered_paid_claim": (
            "Vielen Dank. Sie haben {name} mitgeteilt, dass Sie am {date} gezahlt haben; die Zahlung wird geprüft."
        ),
        "answer_error": "Bitte prüfen Sie das Formular unten.",
        "error_promised_date": "Bitte wählen Sie ein Datum von heute bis zum {latest}.",
        "error_message": "Bitte schreiben Sie Ihre Nachricht (höchstens 2.000 Zeichen).",
        "error_disputed_amount": (
            "Bitte geben Sie den Betrag als Zahl ein, z. B. 120,50, höchstens den Rechnungsbetrag."
        ),
        "error_paid_on": "Bitte geben Sie den Zahlungstag an: nicht in der Zukunft und nicht älter als ein Jahr.",
        "error_reference": "Bitte halten Sie den Verwendungszweck unter 200 Zeichen.",
        "answer_link": "Zahlungsdatum zusagen, Frage stellen oder Zahlung melden",
    },
    "fr": {
        "answers_title": "Vous ne pouvez pas payer maintenant, ou quelque chose ne va pas ?",
        "promise_heading": "M'engager à payer avant une date",
        "promise_help": (
            "Choisissez le jour avant lequel vous paierez, au plus tard dans {days} jours. {name} n'enverra "
            "aucune relance d'ici là."
        ),
        "promised_date_label": "Je paierai au plus tard le",
        "promise_submit": "Confirmer cette date",
        "dispute_heading": "Poser une question ou contester cette facture",
        "dispute_help": (
            "Expliquez à {name} ce qui ne va pas ou ce que vous souhaitez savoir. Les relances s'arrêtent "
            "jusqu'à sa réponse."
        ),
        "message_label": "Votre message",
        "disputed_amount_label": "Montant concerné (facultatif)",
        "dispute_submit": "Envoyer à {name}",
        "paid_heading": "J'ai déjà payé",
        "paid_help": "Indiquez à {name} la date de votre paiement et sa référence, pour qu'il puisse le retrouver.",
        "paid_on_label": "Payé le",
        "reference_label": "Référence du paiement (facultatif)",
        "note_label": "Remarque (facultatif)",
        "paid_submit": "Prévenir {name}",
        "answered_promise": (
            "Merci. Vous vous êtes engagé à payer au plus tard le {date} ; aucune relance ne sera envoyée d'ici là."
        ),
        "answered_dispute": "Votre message a été envoyé à {name}. Les relances sont suspendues jusqu'à sa réponse.",
        "answered_paid_claim": (
            "Merci. Vous avez indiqué à {name} avoir payé le {date} ; votre paiement va être vérifié."
        ),
        "answer_error": "Veuillez vérifier le formulaire ci-dessous.",
        "error_promised_date": "Veuillez choisir une date entre aujourd'hui et le {latest}.",
        "error_message": "Veuillez écrire votre message (2 000 caractères au plus).",
        "error_disputed_amount": (
            "Veuillez saisir le montant en chiffres, par ex. 120,50, sans dépasser le montant de la facture."
        ),
        "error_paid_on": "Veuillez indiquer le jour du paiement : pas dans le futur, et il y a moins d'un an.",
        "error_reference": "Veuillez limiter la référence à 200 caractères.",
        "answer_link": "Proposer une date, poser une question ou signaler un paiement",
    },
    "es": {
        "answers_title": "¿No puede pagar ahora o algo no está bien?",
        "promise_heading": "Comprometerme a pagar antes de una fecha",
        "promise_help": (
            "Elija el día en que pagará, como máximo dentro de {days} días. {name} no enviará recordatorios "
            "hasta entonces."
        ),
        "promised_date_label": "Pagaré a más tardar el",
        "promise_submit": "Confirmar esta fecha",
        "dispute_heading": "Hacer una pregunta o reclamar esta factura",
        "dispute_help": (
            "Cuéntele a {name} qué está mal o qué desea saber. Los recordatorios se detienen hasta que responda."
        ),
        "message_label": "Su mensaje",
        "disputed_amount_label": "Importe en cuestión (opcional)",
        "dispute_submit": "Enviar a {name}",
        "paid_heading": "Ya he pagado",
        "paid_help": "Indique a {name} cuándo pagó y la referencia del pago, para que pueda encontrarlo.",
        "paid_on_label": "Pagado el",
        "reference_label": "Referencia del pago (opcional)",
        "note_label": "Nota (opcional)",
        "paid_submit": "Avisar a {name}",
        "answered_promise": (
            "Gracias. Se ha comprometido a pagar a más tardar el {date}; no se enviarán recordatorios hasta entonces."
        ),
        "answered_dispute": "Su mensaje se ha enviado a {name}. Los recordatorios quedan en pausa hasta que responda.",
        "answered_paid_claim": "Gracias. Ha indicado a {name} que pagó el {date}; se comprobará su pago.",
        "answer_error": "Revise el formulario a continuación.",
        "error_promised_date": "Elija una fecha entre hoy y el {latest}.",
        "error_message": "Escriba su mensaje (2000 caracteres como máximo).",
        "error_disputed_amount": (
            "Introduzca el importe como número, p. ej. 120,50, sin superar el importe de la factura."
        ),
        "error_paid_on": "Indique el día del pago: no en el futuro y dentro del último año.",
        "error_reference": "La referencia debe tener menos de 200 caracteres.",
        "answer_link": "Proponer una fecha, hacer una pregunta o avisar de un pago",
    },
}
for _language, _words in ANSWER_STRINGS.items():
    STRINGS[_language].update(_words)


def resolve_locale(*candidates: str | None) -> tuple[str, str]:
    """(language of the words, Babel locale for numbers and dates) from the first candidate we have words for."""
    for candidate in candidates:
        if not candidate:
            continue
        try:
            locale = Locale.parse(candidate.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        if locale.language in STRINGS:
            return locale.language, str(locale)
    return DEFAULT_LANGUAGE, DEFAULT_LANGUAGE


def strings_for(language: str) -> dict[str, str]:
    return STRINGS.get(language, STRINGS[DEFAULT_LANGUAGE])
