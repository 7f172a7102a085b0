"""Signing keys: the local default is made once, private to its owner; the first key signs."""

import stat

import pytest

from identity.adapters.signing_keys import (
    SigningKeysInvalid,
    keys_from_pem,
    load_signing_keys,
    new_private_key_pem,
)


def test_the_local_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = load_signing_keys(None, tmp_path)
    again = load_signing_keys("", tmp_path)
    assert first.current.kid == again.current.kid
    assert stat.S_IMODE((tmp_path / "identity-jwt.pem").stat().st_mode) == 0o600


def test_every_configured_key_is_published_and_the_first_signs():
    new, old = new_private_key_pem(), new_private_key_pem()
    keys = keys_from_pem(new + "\n" + old)
    published = keys.jwks()["keys"]
    assert [k["kid"] for k in published] == [k.kid for k in keys.keys]
    assert keys.current.kid == keys_from_pem(new).current.kid
    assert all(k["alg"] == "EdDSA" and "d" not in k for k in published)


def test_a_key_that_is_not_ed25519_pem_is_refused():
    with pytest.raises(SigningKeysInvalid):
        keys_from_pem("not a key")
