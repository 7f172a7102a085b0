"""The patient's link to their treatment plan: one purpose, one address, a deadline.

The token is 256 random bits, shown once in the patient's mail and stored only as its SHA-256
(unsalted, so the database finds the plan by it; it is no password). The link is bound to the
address it was mailed to: the page asks for that address before it shows the plan, and a link
forwarded to someone else opens nothing. Too many wrong addresses lock the link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from notes.domain.clock import as_utc
from notes.domain.errors import (
    PlanLinkExpired,
    PlanLinkLocked,
    PlanLinkUnusable,
    PlanLinkUsed,
    PlanWithdrawn,
)
from notes.domain.treatment_plans import AWAITING_PATIENT, PlanStatus

TOKEN_BYTES = 32
LINK_DAYS = 14
WRONG_ADDRESSES_BEFORE_LOCK = 5
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)

CONTACT_CLINIC = "Contact the clinic that sent it to you"


def new_link_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_expiry(sent_at: datetime, days: int = LINK_DAYS) -> datetime:
    return as_utc(sent_at) + timedelta(days=days)


def same_address(sent_to: str, typed: str) -> bool:
    """The typed address is the one the link was mailed to (case and spaces aside)."""
    return hmac.compare_digest(sent_to.strip().lower().encode(), typed.strip().lower().encode())


@dataclass(frozen=True)
class PlanLink:
    plan_id: str
    sent_to: str
    expires_at: datetime
    wrong_addresses: int = 0


def link_refusal(link: PlanLink, status: PlanStatus, now: datetime) -> PlanLinkUnusable | None:
    """Why this link no longer opens its plan, or None while it does."""
    if status is PlanStatus.WITHDRAWN:
        return PlanWithdrawn(f"The clinic withdrew this treatment plan. {CONTACT_CLINIC} if "
                             "you have questions about your treatment.", {"reason": "withdrawn"})
    if status not in AWAITING_PATIENT:
        return PlanLinkUsed(f"You have already answered this treatment plan. {CONTACT_CLINIC} "
                            "if you want to change your answer.", {"reason": "used"})
    if as_utc(now) >= as_utc(link.expires_at):
        return PlanLinkExpired(f"This link has expired. {CONTACT_CLINIC} and ask them to send "
                               "the plan again.", {"reason": "expired"})
    if link.wrong_addresses >= WRONG_ADDRESSES_BEFORE_LOCK:
        return PlanLinkLocked(f"This link is locked after too many wrong email addresses. "
                              f"{CONTACT_CLINIC} and ask them to send the plan again.",
                              {"reason": "locked"})
    return None
