"""Ed25519 signing for audit checkpoints (the domain's ``Signer`` and ``Verifier``).

The private key should live outside the audit database (a mounted secret), so that
someone who can rewrite the chain cannot also sign a matching checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def key_id_for(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex characters of its SHA-256."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class Ed25519Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id_for(self.public_key)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> Ed25519Signer:
        key = serialization.load_pem_private_key(pem, password=password)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit checkpoint key must be an Ed25519 private key")
        return cls(key)

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class Ed25519Verifier:
    """Verifies with any of several public keys, so old checkpoints survive a key rotation."""

    def __init__(self, public_keys: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id_for(key): key for key in public_keys}

    @classmethod
    def from_pems(cls, pems: Iterable[bytes]) -> Ed25519Verifier:
        keys = []
        for pem in pems:
            key = serialization.load_pem_public_key(pem)
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("audit checkpoint verification keys must be Ed25519 public keys")
            keys.append(key)
        return cls(keys)

    def verify(self, key_id: str, message: bytes, signature: bytes) -> bool:
        key = self._keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True
