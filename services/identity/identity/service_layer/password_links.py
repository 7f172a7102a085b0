"""Opening a password link before it is spent: whose it is, or why it no longer works.

The pages ask this when a link from a mail is opened, so that an expired or used link says
what to do next at once, not after the person has typed a new password. Spending the link
stays with set_password and reset_password, which check it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from identity.adapters.repository import (
    IdentityRepository,
    PasswordResetRepository,
    PasswordSetupRepository,
)
from identity.domain.errors import LinkUnusable
from identity.domain.password_resets import redeem_password_reset
from identity.domain.tokens import hash_token
from servicekit.db import UnitOfWork

LinkKind = Literal["reset", "setup"]

_UNKNOWN = {
    "reset": "This password reset link is not valid. Ask for a new one from the sign-in page.",
    "setup": "This get-started link is not valid. Ask your practice's Admin for a new one.",
}


@dataclass(frozen=True)
class LinkHolder:
    """The account a password link belongs to, as its page greets them."""

    full_name: str
    email: str
    practice_id: str | None
    practice_name: str | None


def open_password_link(uow: UnitOfWork, *, token: str, kind: LinkKind,
                       now: datetime) -> LinkHolder:
    """The link's account; LinkUnusable or LinkExpired (with what to do) when it is dead."""
    with uow:
        links = (PasswordResetRepository if kind == "reset" else PasswordSetupRepository)(
            uow.session)
        found = links.get(hash_token(token))
        if found is None:
            raise LinkUnusable(_UNKNOWN[kind])
        redeem_password_reset(found, token, now)  # a check only: nothing is saved
        repo = IdentityRepository(uow.session)
        user = repo.user_by_id(found.user_id)
        if user is None or not user.active:
            raise LinkUnusable("This account is not active. Ask your practice's Admin.")
        practice = repo.practice(user.practice_id).name if user.practice_id else None
        return LinkHolder(user.full_name, user.email, user.practice_id, practice)
