"""The original's passwords keep working here, and move to Django's hasher on first sign-in."""
import hashlib

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password

from accounts.models import User
from accounts.roles import Role
from legacy.conversions import legacy_password

from .conftest import OLD_PASSWORD, OLD_SHA256_HASH, WEB_CRYPTO_PASSWORD, WEB_CRYPTO_V2_HASH


def test_a_v2_hash_written_by_web_crypto_verifies_with_its_password():
    encoded = legacy_password(WEB_CRYPTO_V2_HASH)

    assert encoded.startswith("igp_v2_pbkdf2$100000$00112233445566778899aabbccddeeff$")
    assert check_password(WEB_CRYPTO_PASSWORD, encoded)
    assert not check_password("verre-trempé 2025!", encoded)


def test_the_salt_is_used_as_decoded_bytes_not_as_hex_text():
    _v2, salt_hex, expected = WEB_CRYPTO_V2_HASH.split(":")
    password = WEB_CRYPTO_PASSWORD.encode("utf-8")

    as_bytes = hashlib.pbkdf2_hmac("sha256", password, bytes.fromhex(salt_hex), 100_000, 32).hex()
    as_text = hashlib.pbkdf2_hmac("sha256", password, salt_hex.encode(), 100_000, 32).hex()

    assert as_bytes == expected
    assert as_text != expected


def test_an_old_unsalted_sha256_hash_verifies_with_its_password():
    assert check_password(OLD_PASSWORD, legacy_password(OLD_SHA256_HASH))
    # The original's own seed value: SHA-256 of "password123".
    assert check_password(
        "password123", legacy_password("ef92b778bafe771e89245b89ecbc08a44a4e166c06659911881f383d4473e94f")
    )
    assert not check_password("password124", legacy_password(OLD_SHA256_HASH))


@pytest.mark.parametrize("placeholder", ["SYSTEM_USER_NO_LOGIN", "test", "", None, "v2:zz:12", "abc123"])
def test_a_value_that_is_not_a_hash_gives_no_password(placeholder):
    assert legacy_password(placeholder) is None


@pytest.mark.parametrize(
    ("stored", "password"), [(WEB_CRYPTO_V2_HASH, WEB_CRYPTO_PASSWORD), (OLD_SHA256_HASH, OLD_PASSWORD)]
)
def test_signing_in_with_an_original_password_upgrades_it_to_djangos_hasher(db, stored, password):
    user = User.objects.create(email="nadia@igp.test", role=Role.TECHNICIAN, password=legacy_password(stored))
    legacy_hash = user.password

    assert authenticate(username="nadia@igp.test", password=password) == user

    user.refresh_from_db()
    assert user.password != legacy_hash
    assert user.password.startswith("pbkdf2_sha256$")
    assert authenticate(username="nadia@igp.test", password=password) == user


def test_a_wrong_password_leaves_the_original_hash_alone(db):
    user = User.objects.create(email="nadia@igp.test", role=Role.TECHNICIAN,
                               password=legacy_password(WEB_CRYPTO_V2_HASH))

    assert authenticate(username="nadia@igp.test", password="devine") is None

    user.refresh_from_db()
    assert user.password.startswith("igp_v2_pbkdf2$")
