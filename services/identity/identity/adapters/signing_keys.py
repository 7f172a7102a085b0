"""Ed25519 signing keys for access tokens, and the JWKS that publishes their public halves."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)
LOCAL_KEY_FILE = "identity-jwt.pem"


class SigningKeysInvalid(ValueError):
    """JWT_PRIVATE_KEYS holds something that is not an Ed25519 private key."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    def public_jwk(self) -> dict[str, str]:
        jwk = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


@dataclass(frozen=True)
class SigningKeys:
    keys: tuple[SigningKey, ...]

    @property
    def current(self) -> SigningKey:
        return self.keys[0]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def keys_from_pem(pem_text: str) -> SigningKeys:
    blocks = _PEM_BLOCK.findall(pem_text)
    if not blocks:
        raise SigningKeysInvalid("JWT_PRIVATE_KEYS holds no PEM block.")
    keys = []
    for index, block in enumerate(blocks):
        try:
            key = serialization.load_pem_private_key(block.encode(), password=None)
        except ValueError:
            raise SigningKeysInvalid(f"JWT_PRIVATE_KEYS key {index + 1} cannot be read.") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeysInvalid(f"JWT_PRIVATE_KEYS key {index + 1} is not Ed25519.")
        keys.append(SigningKey(kid=_thumbprint(key), private_key=key))
    return SigningKeys(tuple(keys))


def load_signing_keys(configured: str | None, local_dir: Path) -> SigningKeys:
    """The configured keys, or the local key file (made once, readable by its owner only)."""
    if configured and configured.strip():
        return keys_from_pem(configured)
    return keys_from_pem(_local_key_pem(Path(local_dir) / LOCAL_KEY_FILE))


def new_private_key_pem() -> str:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _local_key_pem(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several gunicorn workers may start at once: each writes a complete file under a
        # temporary name and links it into place; the first link wins, the rest read it.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jwt-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, new_private_key_pem().encode())
            os.close(fd)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text()


def _thumbprint(key: Ed25519PrivateKey) -> str:
    """RFC 7638 thumbprint of the public key: a kid that is the same wherever it is computed."""
    jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
