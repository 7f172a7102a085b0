"""Password reset links: one hour, one use.

The link proves control of the mailbox only for a short while; after one use or one
hour it is dead, and asking again sends a fresh link.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from identity.domain.clock import require_aware
from identity.domain.errors import LinkExpired, LinkUnusable
from identity.domain.tokens import IssuedToken, issue_token, token_matches

RESET_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class PasswordReset:
    user_id: str
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


def issue_password_reset(user_id: str, now: datetime) -> tuple[PasswordReset, IssuedToken]:
    """A new reset record and its raw token (for the email link, never stored)."""
    require_aware(now)
    token = issue_token()
    reset = PasswordReset(
        user_id=user_id, token_hash=token.hash, issued_at=now, expires_at=now + RESET_LIFETIME
    )
    return reset, token


def redeem_password_reset(reset: PasswordReset, raw_token: str, now: datetime) -> PasswordReset:
    """Spend the link: returns the record marked used, or refuses."""
    require_aware(now)
    if not token_matches(raw_token, reset.token_hash):
        raise LinkUnusable(
            "This password reset link is not valid. Ask for a new one from the sign-in page."
        )
    if reset.used_at is not None:
        raise LinkUnusable(
            "This password reset link was already used. Ask for a new one from the sign-in "
            "page if you still need to reset your password."
        )
    if now >= reset.expires_at:
        raise LinkExpired(
            "This password reset link expired (links last one hour). Ask for a new one from "
            "the sign-in page.",
            {"expired_at": reset.expires_at.isoformat()},
        )
    return replace(reset, used_at=now)
