"""Where the checkpoint signing key comes from: configuration, or a local file made once."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.adapters.signing import Ed25519Signer

LOCAL_KEY_FILE = "audit-signing.pem"


def load_signer(signing_key_pem: str | None, local_dir: Path) -> Ed25519Signer:
    """The key from AUDIT_SIGNING_KEY, else LOCAL_DIR/audit-signing.pem (generated, 0600)."""
    if signing_key_pem:
        return Ed25519Signer.from_pem(signing_key_pem.encode("ascii"))
    path = Path(local_dir) / LOCAL_KEY_FILE
    if not path.exists():
        _generate(path)
    return Ed25519Signer.from_pem(path.read_bytes())


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: when two local processes start at once, the first key wins and both use it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def verification_pems(signing_key_pem: str | None, local_dir: Path,
                      verify_keys: str | None) -> list[bytes]:
    """Public keys that checkpoints may be signed with: the current key's and earlier ones.

    Nothing is generated here: an outside auditor verifies with public keys alone
    (AUDIT_VERIFY_KEYS) and needs neither the private key nor a local one.
    """
    pems = [block.encode("ascii") for block in _pem_blocks(verify_keys or "")]
    path = Path(local_dir) / LOCAL_KEY_FILE
    if signing_key_pem:
        pems.append(Ed25519Signer.from_pem(signing_key_pem.encode("ascii")).public_pem())
    elif path.exists():
        pems.append(Ed25519Signer.from_pem(path.read_bytes()).public_pem())
    return pems


def _pem_blocks(text: str) -> list[str]:
    end = "-----END PUBLIC KEY-----"
    return [part.strip() + "\n" + end + "\n" for part in text.split(end) if part.strip()]
