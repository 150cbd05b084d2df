"""The password hasher (accounts/hashers.py): Argon2id at our parameters, old hashes upgraded.

These tests hash for real (no mocked crypto): each Argon2 call costs some tens of milliseconds.
"""

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher

from accounts.hashers import PrzystanArgon2PasswordHasher

PASSWORD = "zielony-most-nad-rzeką"  # noqa: S105

OURS = ["accounts.hashers.PrzystanArgon2PasswordHasher"]


def _parameters(encoded: str) -> argon2.Parameters:
    return argon2.extract_parameters("$" + encoded.split("$", 1)[1])


def test_a_new_hash_is_argon2id_at_46_mebibytes_one_pass_one_lane(settings):
    settings.PASSWORD_HASHERS = OURS
    encoded = PrzystanArgon2PasswordHasher().encode(PASSWORD, PrzystanArgon2PasswordHasher().salt())

    params = _parameters(encoded)

    assert encoded.startswith("argon2$argon2id$")
    assert (params.memory_cost, params.time_cost, params.parallelism) == (47104, 1, 1)
    assert check_password(PASSWORD, encoded)
    assert not check_password("zielony-most-nad-rzeka", encoded)


def test_a_hash_made_with_djangos_defaults_still_verifies_and_asks_to_be_updated(settings):
    settings.PASSWORD_HASHERS = OURS
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    hasher = identify_hasher(old)

    assert isinstance(hasher, PrzystanArgon2PasswordHasher)
    assert hasher.verify(PASSWORD, old)
    assert hasher.must_update(old)


@pytest.mark.django_db
def test_a_sign_in_with_an_old_hash_rewrites_it_with_our_parameters(settings, client):
    from accounts.models import User

    settings.PASSWORD_HASHERS = OURS
    user = User.objects.create_user(username="stary-hash")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save()

    assert user.check_password(PASSWORD)

    user.refresh_from_db()
    params = _parameters(user.password)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (47104, 1, 1)
