"""Share link tokens: random, shown once in the recipient's email, stored only hashed."""

import hashlib
import secrets

#: 32 random bytes = 256 bits, well above the 128 bits nobody can guess.
SHARE_TOKEN_BYTES = 32


def new_share_token() -> str:
    """Return a fresh URL-safe token for a share link."""
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


def hash_share_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a share's token is stored and looked up.

    No salt or slow hash is needed: the token is 256 random bits, not a password, and an
    unsalted digest is what lets the database find the share by its link.
    """
    return hashlib.sha256(token.encode()).hexdigest()
