from __future__ import annotations

import pytest

from duespark.settings import Settings
from duespark.signing import InvalidLink, sign_token, verify_token

KEY = "first-signing-key-0123456789-abcdefghijklmnop"
OLD_KEY = "older-signing-key-0123456789-abcdefghijklmnop"


def _settings(*keys: str) -> Settings:
    return Settings(env="test", secret_keys=list(keys))


def test_round_trip_for_ints_and_strings():
    settings = _settings(KEY)
    assert verify_token(settings, "pay", sign_token(settings, "pay", 42)) == "42"
    assert verify_token(settings, "pay", sign_token(settings, "pay", "inv-ß/1")) == "inv-ß/1"


def test_a_token_only_works_for_its_purpose():
    settings = _settings(KEY)
    token = sign_token(settings, "unsubscribe", 7)
    with pytest.raises(InvalidLink):
        verify_token(settings, "pay", token)


def test_altered_value_or_mac_is_refused():
    settings = _settings(KEY)
    token = sign_token(settings, "pay", 7)
    other_value = sign_token(settings, "pay", 8).split(".")[0]
    forged = f"{other_value}.{token.split('.')[1]}"
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (forged, flipped, "", "abc", "a.b.c", token + "=", "x" * 600 + "." + "y"):
        with pytest.raises(InvalidLink):
            verify_token(settings, "pay", bad)


def test_rotated_keys_still_verify_and_new_tokens_use_the_first_key():
    old = _settings(OLD_KEY)
    rotated = _settings(KEY, OLD_KEY)
    issued_before = sign_token(old, "unsubscribe", 5)
    assert verify_token(rotated, "unsubscribe", issued_before) == "5"
    issued_after = sign_token(rotated, "unsubscribe", 5)
    assert issued_after != issued_before
    assert verify_token(_settings(KEY), "unsubscribe", issued_after) == "5"
    with pytest.raises(InvalidLink):
        verify_token(_settings(KEY), "unsubscribe", issued_before)


def test_invalid_link_is_a_404():
    assert InvalidLink.status_code == 404
