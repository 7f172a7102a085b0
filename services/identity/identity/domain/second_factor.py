"""The second factor: who needs one, TOTP codes (RFC 6238) and recovery codes.

A User Manager (``manage_users``) and every vendor staff member always sign in with a
second factor; a practice may require it of all its staff; anyone else may enrol by
choice. Once enrolled, every sign-in asks for a code. A TOTP code is accepted for the
30-second step before, of, and after now, and each step only once: a code seen on the wire
cannot be replayed (RFC 6238 section 5.2). Ten single-use recovery codes stand in for a
lost phone; only their SHA-256 is kept. Wrong codes are counted per account: after
``MOST_WRONG_CODES`` in ``WRONG_CODE_WINDOW`` the account takes no code until the window
passes, so even a guesser who knows the password and has many addresses gets nowhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pyotp

from identity.domain.clock import seconds_until
from identity.domain.errors import SecondFactorInvalid, SecondFactorThrottled
from identity.domain.permissions import MANAGE_USERS
from identity.domain.users import UserKind

STEP_SECONDS = 30
DIGITS = 6
ACCEPTED_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
MOST_WRONG_CODES = 10
WRONG_CODE_WINDOW = timedelta(minutes=15)
ENROLLMENT_LIFETIME = timedelta(minutes=10)

ENTER_A_CODE = ("Enter the 6-digit code from your authenticator app in the field otp, or one "
                "of your recovery codes.")
WRONG_CODE = ("That code is not right or was already used. Enter the code your authenticator "
              "app shows now, or one of your recovery codes.")


@dataclass(frozen=True)
class SecondFactor:
    """One account's TOTP secret and what guards it."""

    user_id: str
    secret: str  # base32, as authenticator apps take it
    enrolled_at: datetime | None  # None while enrollment waits for its first code
    last_used_step: int = 0
    wrong_codes: int = 0
    wrong_since: datetime | None = None

    @property
    def enrolled(self) -> bool:
        return self.enrolled_at is not None


def requirement(kind: UserKind, permissions: frozenset[str], practice_requires: bool) -> str | None:
    """Why this account must sign in with a second factor, or None if it need not."""
    if kind is UserKind.VENDOR:
        return "vendor_staff"
    if kind is not UserKind.STAFF:
        return None
    if MANAGE_USERS in permissions:
        return "user_manager"
    return "practice_policy" if practice_requires else None


def new_secret(user_id: str) -> SecondFactor:
    return SecondFactor(user_id=user_id, secret=pyotp.random_base32(), enrolled_at=None)


def provisioning_uri(factor: SecondFactor, account_name: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads (shown as a QR code)."""
    return pyotp.TOTP(factor.secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer)


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(factor: SecondFactor, code: str, now: datetime) -> int | None:
    """The unused step ``code`` belongs to, within the accepted drift; None if none."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(factor.secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - ACCEPTED_DRIFT_STEPS, current + ACCEPTED_DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if step > factor.last_used_step and hmac.compare_digest(expected, code):
            return step
    return None


def check_not_throttled(factor: SecondFactor, now: datetime) -> None:
    if factor.wrong_since is None or factor.wrong_codes < MOST_WRONG_CODES:
        return
    until = factor.wrong_since + WRONG_CODE_WINDOW
    if now < until:
        raise SecondFactorThrottled(
            "Too many wrong codes for this account. Wait, then try again; if you did not "
            "enter them, someone knows your password: reset it.",
            {"retry_after_seconds": seconds_until(until, now)})


def code_accepted(factor: SecondFactor, step: int) -> SecondFactor:
    return replace(factor, last_used_step=step, wrong_codes=0, wrong_since=None)


def code_refused(factor: SecondFactor, now: datetime) -> SecondFactor:
    """The factor after one wrong code: the count restarts once the window has passed."""
    if factor.wrong_since is None or now - factor.wrong_since >= WRONG_CODE_WINDOW:
        return replace(factor, wrong_codes=1, wrong_since=now)
    return replace(factor, wrong_codes=factor.wrong_codes + 1)


def wrong_code() -> SecondFactorInvalid:
    return SecondFactorInvalid(WRONG_CODE)


def new_recovery_codes() -> list[str]:
    """Ten codes like ``7kq2-m9xd-4hpa`` (60 random bits each), shown to the person once."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(code.strip().replace("-", "").replace(" ", "")) == 12


def enrollment_expires(now: datetime) -> datetime:
    return now + ENROLLMENT_LIFETIME
