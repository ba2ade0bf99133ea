"""TOTP two-factor sign-in: enrolment with a QR code, ten single-use recovery codes, a remembered device.

Sign-in timing: a wrong code must not tell a password guesser that the password was right. Every
sign-in that carries a code does the same work whatever failed: one Argon2 verification (service.
authenticate_password, with a dummy hash for unknown addresses), then `check_code` against the user's
secret or a dummy one, which always computes the three TOTP windows and always runs the one recovery
UPDATE. Both failures answer the same 401 with the same words (`WRONG_CREDENTIALS`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import segno
from babel.dates import format_date
from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.email.compose import babel_locale, compose_account_notice
from duespark.email.service import queue_message
from duespark.errors import Conflict, InvalidInput, Unauthorized
from duespark.models import Account, RecoveryCode, User
from duespark.settings import Settings
from duespark.signing import InvalidLink, sign_token, verify_token

ISSUER = "DueSpark"
RECOVERY_CODES = 10
REMEMBER_DAYS = 30
REMEMBER_PURPOSE = "remember_device"
SECURITY_NOTICE = "security_notice"
WRONG_CREDENTIALS = "Wrong email, password or code"
# A code from the step before or after the current one is accepted (a phone's clock off by up to 30 s).
DRIFT_STEPS = 1
_DUMMY_SECRET = pyotp.random_base32()


class TwoFactorRequired(Unauthorized):
    """The password was right; the sign-in needs a code from the authenticator app (or a recovery code)."""

    error = "TwoFactorRequired"

    def __init__(self) -> None:
        super().__init__("Enter the code from your authenticator app")


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str  # a data: URI of an SVG image


def _step(now: datetime) -> int:
    return int(now.timestamp()) // 30


def _normalize(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _recovery_hash(settings: Settings, code: str) -> str:
    """HMAC with the first signing key: a stolen table does not give the codes (they are random, so a
    keyed hash is enough; Argon2 would cost a second slow hash on every sign-in)."""
    key = settings.signing_keys[0].encode()
    return hmac.new(key, f"recovery:{_normalize(code)}".encode(), hashlib.sha256).hexdigest()


def start_enrolment(session: Session, *, user: User) -> Enrolment:
    """A new secret, not yet active: sign-in asks for codes only once one confirmed it."""
    if user.totp_enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on; turn it off first to enrol another device")
    user.totp_secret = pyotp.random_base32()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_data_uri(scale=6, border=2)
    return Enrolment(secret=user.totp_secret, otpauth_uri=uri, qr_svg=svg)


def _totp_step_matching(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, comparing every window in constant time."""
    totp = pyotp.TOTP(secret)
    current = _step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            found = step
    return found


def check_code(session: Session, *, user: User | None, code: str, settings: Settings, clock: Clock) -> bool:
    """True for a fresh TOTP code or an unused recovery code of the user, spending it; the same work for
    a wrong code, an unknown user or a user without two-factor (see the module's note on timing)."""
    now = clock.now()
    given = _normalize(code)[:64]
    secret = user.totp_secret if user is not None and user.totp_enabled_at is not None else None
    step = _totp_step_matching(secret or _DUMMY_SECRET, given, now)
    # A recovery code is spent by one conditional UPDATE: of two sign-ins with it, one gets the row.
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == (user.id if secret else 0),
            RecoveryCode.code_hash == _recovery_hash(settings, given),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if secret is None:
        return False
    if spent.rowcount == 1:
        audit_user(session, user=user, action="user.recovery_code_used", clock=clock)  # type: ignore[arg-type]
        return True
    if step is None:
        return False
    # A code is accepted once: the step must be later than the last one accepted (conditional, so two
    # sign-ins with the same code at the same moment cannot both pass).
    taken = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))  # type: ignore[union-attr]
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _new_recovery_codes(session: Session, *, user: User, settings: Settings, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(settings, code), created_at=now) for code in codes
    )
    return codes


def confirm_enrolment(session: Session, *, user: User, code: str, settings: Settings, clock: Clock) -> list[str]:
    """Turn two-factor on with a code from the new secret; the recovery codes, shown once."""
    if user.totp_enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on")
    if user.totp_secret is None:
        raise Conflict("Start the enrolment first")
    now = clock.now()
    step = _totp_step_matching(user.totp_secret, _normalize(code), now)
    if step is None:
        raise InvalidInput("code", "This code is not the current one; check the phone's time and try again")
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user=user, settings=settings, now=now)
    audit_user(session, user=user, action="user.two_factor_enabled", clock=clock)
    return codes


def regenerate_recovery_codes(
    session: Session, *, user: User, code: str, settings: Settings, clock: Clock
) -> list[str]:
    if user.totp_enabled_at is None:
        raise Conflict("Two-factor sign-in is off")
    if not check_code(session, user=user, code=code, settings=settings, clock=clock):
        raise InvalidInput("code", "The code is wrong")
    audit_user(session, user=user, action="user.recovery_codes_replaced", clock=clock)
    return _new_recovery_codes(session, user=user, settings=settings, now=clock.now())


def disable(session: Session, *, user: User, code: str, settings: Settings, clock: Clock) -> None:
    """Turn two-factor off (the caller has checked the password)."""
    if user.totp_enabled_at is None:
        raise Conflict("Two-factor sign-in is off")
    if not check_code(session, user=user, code=code, settings=settings, clock=clock):
        raise InvalidInput("code", "The code is wrong")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit_user(session, user=user, action="user.two_factor_disabled", clock=clock)


# What happened, in each language of the templates (email/templates/<lang>/security_notice.md), and how
# the moment reads ("November 25, 2026 at 10:00"); other languages get English.
EVENTS = {
    "en": {
        "enabled": "Two-factor sign-in was turned on",
        "disabled": "Two-factor sign-in was turned off",
        "new_device": "A new device signed in",
    },
    "de": {
        "enabled": "Die Zwei-Faktor-Anmeldung wurde eingeschaltet",
        "disabled": "Die Zwei-Faktor-Anmeldung wurde ausgeschaltet",
        "new_device": "Ein neues Gerät hat sich angemeldet",
    },
    "fr": {
        "enabled": "La connexion en deux étapes a été activée",
        "disabled": "La connexion en deux étapes a été désactivée",
        "new_device": "Un nouvel appareil s'est connecté",
    },
    "es": {
        "enabled": "Se activó el inicio de sesión en dos pasos",
        "disabled": "Se desactivó el inicio de sesión en dos pasos",
        "new_device": "Un nuevo dispositivo inició sesión",
    },
}
_AT = {"en": "at", "de": "um", "fr": "à", "es": "a las"}


def _language(locale: str | None) -> str:
    language = (locale or "en").replace("-", "_").split("_")[0].lower()
    return language if language in EVENTS else "en"


def _moment(now: datetime, language: str, locale: str | None) -> str:
    """ "November 25, 2026 at 10:00", "25. November 2026 um 10:00": the day as Babel writes it, in UTC."""
    formatting = babel_locale(locale or language)
    if not formatting.startswith(language):
        formatting = language
    return f"{format_date(now.date(), format='long', locale=formatting)} {_AT[language]} {now:%H:%M}"


def notify(
    session: Session, *, user: User, change: str, settings: Settings, clock: Clock, device: str | None = None
) -> None:
    """Queue the security email (sent by the worker after commit, through the outbox)."""
    from duespark.auth.service import primary_membership

    account = session.get(Account, primary_membership(session, user.id).account_id)
    assert account is not None
    now = clock.now().astimezone(UTC)
    language = _language(account.locale)
    variables = {
        "user_name": user.name,
        "user_email": user.email,
        "event": EVENTS[language][change],
        "happened_at": _moment(now, language, account.locale),
        "device": device or "",
        "security_link": f"{settings.public_url.rstrip('/')}/settings?tab=security",
    }
    email = compose_account_notice(
        user=user, account=account, template_key=SECURITY_NOTICE, variables=variables, settings=settings
    )
    queue_message(
        session,
        account_id=account.id,
        kind=SECURITY_NOTICE,
        template_key=SECURITY_NOTICE,
        to_email=user.email,
        email=email,
        clock=clock,
    )


def audit_user(session: Session, *, user: User, action: str, clock: Clock) -> None:
    from duespark.auth.service import record_for_user  # the service imports this module for sign-in

    record_for_user(session, user_id=user.id, action=action, now=clock.now())


# -- remembered device ---------------------------------------------------------------------------


def remember_device(settings: Settings, *, user: User, now: datetime) -> str:
    """A signed token that skips the code on this device for 30 days, bound to the user and to their
    token version: a password change (or "sign out everywhere") forgets every remembered device."""
    expires = int((now + timedelta(days=REMEMBER_DAYS)).timestamp())
    return sign_token(settings, REMEMBER_PURPOSE, f"{user.id}:{user.token_version}:{expires}")


def is_remembered(settings: Settings, *, user: User, token: str | None, now: datetime) -> bool:
    if not token:
        return False
    try:
        user_id, version, expires = verify_token(settings, REMEMBER_PURPOSE, token).split(":")
    except (InvalidLink, ValueError):
        return False
    return user_id == str(user.id) and version == str(user.token_version) and int(expires) > int(now.timestamp())


def current_code(secret: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (tests and the CLI)."""
    return pyotp.TOTP(secret).at(now)
