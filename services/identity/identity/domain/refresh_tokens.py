"""Refresh tokens: rotated on every use, and a reused one revokes its whole family.

A family starts at sign-in. Each use hands back a new token and retires the old one. A
retired token coming back means two parties hold the family (a thief and the owner), and
we cannot tell which is which, so the whole family is revoked and both must sign in.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from identity.domain.clock import require_aware
from identity.domain.errors import RefreshRefused
from identity.domain.tokens import IssuedToken, hash_token, issue_token

TOKEN_LIFETIME = timedelta(days=14)  # unused this long, a session ends
FAMILY_LIFETIME = timedelta(days=30)  # however active, sign in again after this

SIGN_IN_AGAIN = "Your session has ended. Sign in again."


@dataclass(frozen=True)
class RefreshFamily:
    id: str
    user_id: str
    current_hash: str
    current_expires_at: datetime
    started_at: datetime
    expires_at: datetime
    retired_hashes: frozenset[str] = frozenset()
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    second_factor: bool = False  # the sign-in passed a second factor

    def holds(self, token_hash: str) -> bool:
        """True if this family ever issued the token (for the repository's lookup)."""
        return token_hash == self.current_hash or token_hash in self.retired_hashes


@dataclass(frozen=True)
class RefreshOutcome:
    family: RefreshFamily  # the state to store, revoked after a reuse
    token: IssuedToken | None = None  # the next refresh token when accepted
    refusal: RefreshRefused | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def start_family(family_id: str, user_id: str, now: datetime) -> tuple[RefreshFamily, IssuedToken]:
    require_aware(now)
    token = issue_token()
    family = RefreshFamily(
        id=family_id,
        user_id=user_id,
        current_hash=token.hash,
        current_expires_at=now + TOKEN_LIFETIME,
        started_at=now,
        expires_at=now + FAMILY_LIFETIME,
    )
    return family, token


def use_refresh_token(family: RefreshFamily, raw_token: str, now: datetime) -> RefreshOutcome:
    require_aware(now)
    presented = hash_token(raw_token)
    if family.revoked_at is not None:
        return RefreshOutcome(family, refusal=_refused("revoked", family))
    if presented in family.retired_hashes:
        revoked = revoke_family(family, now, reason="reuse_detected")
        return RefreshOutcome(revoked, refusal=_refused("reuse_detected", revoked))
    if not hmac.compare_digest(presented, family.current_hash):
        return RefreshOutcome(family, refusal=_refused("unknown", family))
    if now >= family.current_expires_at or now >= family.expires_at:
        return RefreshOutcome(family, refusal=_refused("expired", family))
    token = issue_token()
    rotated = replace(
        family,
        current_hash=token.hash,
        current_expires_at=min(now + TOKEN_LIFETIME, family.expires_at),
        retired_hashes=family.retired_hashes | {family.current_hash},
    )
    return RefreshOutcome(rotated, token=token)


def revoke_family(family: RefreshFamily, now: datetime, reason: str) -> RefreshFamily:
    """End the session (sign-out, password change, deactivation, reuse); idempotent."""
    require_aware(now)
    if family.revoked_at is not None:
        return family
    return replace(family, revoked_at=now, revoked_reason=reason)


def _refused(reason: str, family: RefreshFamily) -> RefreshRefused:
    return RefreshRefused(SIGN_IN_AGAIN, {"reason": reason, "family_id": family.id})
