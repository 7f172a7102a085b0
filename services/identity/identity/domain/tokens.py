"""Opaque single-purpose tokens: invitation links, password resets, refresh tokens.

The person gets the raw token; the service keeps only its SHA-256 hash, so a leaked
database holds nothing that opens an account. 32 random bytes (256 bits) make guessing
hopeless, and a plain hash is enough for that much entropy (no salt or slow hash needed,
unlike passwords), which also lets the repository look a token up by its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedToken:
    raw: str  # goes to the person (in a link or a response), never stored
    hash: str  # goes to the database


def issue_token() -> IssuedToken:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return IssuedToken(raw=raw, hash=hash_token(raw))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_matches(raw: str, stored_hash: str) -> bool:
    """Compare in constant time so response timing leaks nothing about the stored hash."""
    return hmac.compare_digest(hash_token(raw), stored_hash)
