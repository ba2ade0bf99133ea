"""Account secrets (an account's own Stripe key) encrypted at rest.

The Fernet key is derived with HKDF from each signing key: the first encrypts, all decrypt.
Rotation limit: a stored secret stays readable only while the key it was encrypted with is
still listed in DUESPARK_SECRET_KEYS; saving the Stripe connection again re-encrypts it with
the current key. Dropping the old key before that makes the stored key unreadable, and the
user is asked to connect Stripe again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from duespark.errors import Conflict
from duespark.settings import Settings

HKDF_INFO = b"duespark:account-secrets:v1"


def _fernet(signing_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(signing_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _multi(settings: Settings) -> MultiFernet:
    keys = settings.signing_keys
    if not keys:
        raise RuntimeError("No signing key configured (DUESPARK_SECRET_KEY)")
    return MultiFernet([_fernet(key) for key in keys])


def encrypt_secret(settings: Settings, plaintext: str) -> str:
    return _multi(settings).encrypt(plaintext.encode()).decode("ascii")


class SecretUnreadable(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The saved Stripe key can no longer be decrypted (the secret key it was saved with was "
            "removed from DUESPARK_SECRET_KEYS). Connect Stripe again."
        )


def decrypt_secret(settings: Settings, ciphertext: str) -> str:
    try:
        return _multi(settings).decrypt(ciphertext.encode("ascii")).decode()
    except InvalidToken:
        raise SecretUnreadable() from None
