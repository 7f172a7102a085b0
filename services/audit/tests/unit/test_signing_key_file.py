"""The local checkpoint key: made once, private, and the configured key wins."""

import os
import stat

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.adapters.keys import load_signer


def test_a_local_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = load_signer(None, tmp_path)
    second = load_signer(None, tmp_path)
    assert first.key_id == second.key_id
    assert stat.S_IMODE(os.stat(tmp_path / "audit-signing.pem").st_mode) == 0o600


def test_the_configured_key_is_used_instead_of_a_local_file(tmp_path):
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    signer = load_signer(pem, tmp_path)
    assert signer.key_id == load_signer(pem, tmp_path / "elsewhere").key_id
    assert not (tmp_path / "audit-signing.pem").exists()
