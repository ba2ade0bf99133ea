"""The small page behind the unsubscribe link, in the client's language."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined, Template

from duespark.email.templates import TEMPLATES_DIR

PAGE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "confirm_title": "Stop payment reminders?",
        "confirm_text": "You will no longer receive payment reminders from {sender}.",
        "button": "Unsubscribe",
        "done_title": "You are unsubscribed",
        "done_text": "You will receive no more payment reminders from {sender}.",
        "invalid_title": "This link is not valid",
        "invalid_text": "The unsubscribe link is incomplete or was changed. Please use the link from the email.",
    },
    "de": {
        "confirm_title": "Keine Zahlungserinnerungen mehr erhalten?",
        "confirm_text": "Sie erhalten dann keine Zahlungserinnerungen mehr von {sender}.",
        "button": "Abmelden",
        "done_title": "Sie sind abgemeldet",
        "done_text": "Sie erhalten keine Zahlungserinnerungen mehr von {sender}.",
        "invalid_title": "Dieser Link ist ungültig",
        "invalid_text": (
            "Der Abmeldelink ist unvollständig oder wurde verändert. Bitte nutzen Sie den Link aus der E-Mail."
        ),
    },
    "fr": {
        "confirm_title": "Ne plus recevoir de rappels de paiement\u00a0?",
        "confirm_text": "Vous ne recevrez plus de rappels de paiement de la part de {sender}.",
        "button": "Me désinscrire",
        "done_title": "Vous êtes désinscrit(e)",
        "done_text": "Vous ne recevrez plus de rappels de paiement de la part de {sender}.",
        "invalid_title": "Ce lien n'est pas valide",
        "invalid_text": (
            "Le lien de désinscription est incomplet ou a été modifié. Merci d'utiliser le lien de l'e-mail."
        ),
    },
    "es": {
        "confirm_title": "¿Dejar de recibir recordatorios de pago?",
        "confirm_text": "Ya no recibirá recordatorios de pago de {sender}.",
        "button": "Darme de baja",
        "done_title": "Se ha dado de baja",
        "done_text": "No recibirá más recordatorios de pago de {sender}.",
        "invalid_title": "Este enlace no es válido",
        "invalid_text": (
            "El enlace para darse de baja está incompleto o ha sido modificado. Utilice el enlace del correo."
        ),
    },
}


@cache
def _page() -> Template:
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.from_string((TEMPLATES_DIR / "unsubscribe.html").read_text(encoding="utf-8"))


def render_page(*, language: str, state: str, sender: str = "", action: str | None = None) -> str:
    """`state` is confirm (with a button posting to `action`), done, or invalid."""
    words = PAGE_STRINGS.get(language, PAGE_STRINGS["en"])
    return _page().render(
        lang=language if language in PAGE_STRINGS else "en",
        title=words[f"{state}_title"],
        text=words[f"{state}_text"].format(sender=sender),
        button=words["button"],
        action=action if state == "confirm" else None,
    )
