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
